import type { FieldTable, FieldValue } from '../protocol/field-table.js';
import { RABBIT_TYPE_NAMES as ERLANG_TYPE } from './equivalence.js';
import { phash2, type ErlangTerm } from '../util/erlang-phash2.js';

/*
 * RabbitMQ's name for one binding between a source and a destination, its management API's
 * properties_key (rabbit_mgmt_format:pack_binding_props): "~" for an empty routing key without
 * arguments, the quoted routing key without arguments, else the quoted key, "~" and a hash of the
 * arguments: erlang:phash2 of the arguments as RabbitMQ stores them (rows {Name, Type, Value} sorted
 * by name, rabbit_binding's sort_field_table), as 4 big-endian bytes in unpadded base64url.
 */


const atom = (v: string): ErlangTerm => ({ t: 'atom', v });

function valueTerm(v: FieldValue): ErlangTerm {
  switch (v.type) {
    case 'bool':
      return atom(v.value ? 'true' : 'false');
    case 'void':
      return atom('undefined');
    case 'string':
      return { t: 'binary', v: Buffer.from(v.value, 'utf8') };
    case 'bytes':
      return { t: 'binary', v: v.value };
    case 'float':
    case 'double':
      return { t: 'float', v: v.value };
    case 'decimal':
      return { t: 'tuple', v: [{ t: 'integer', v: v.value.scale }, { t: 'integer', v: v.value.value }] };
    case 'array':
      return { t: 'list', v: v.value.map((item) => ({ t: 'tuple', v: [atom(ERLANG_TYPE[item.type]), valueTerm(item)] }) as ErlangTerm) };
    case 'table':
      return tableTerm(v.value, false);
    default:
      return { t: 'integer', v: v.value };
  }
}

/** UTF-8 byte order (Erlang's order of binaries): UTF-16 code-unit order agrees with it below the surrogates. */
const WIDE = /[\ud800-\uffff]/;
const byteOrder = (a: string, b: string): number =>
  WIDE.test(a) || WIDE.test(b) ? Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) : a < b ? -1 : a > b ? 1 : 0;

/** A field table as RabbitMQ holds it: rows {Name, Type, Value}; a binding's top level sorted by name. */
function tableTerm(table: FieldTable, sorted: boolean): ErlangTerm {
  const keys = Object.keys(table);
  if (sorted) keys.sort(byteOrder);
  return {
    t: 'list',
    v: keys.map((k) => {
      const v = table[k] as FieldValue;
      return { t: 'tuple', v: [{ t: 'binary', v: Buffer.from(k, 'utf8') }, atom(ERLANG_TYPE[v.type]), valueTerm(v)] } as ErlangTerm;
    }),
  };
}

/** rabbit_mgmt_format:args_hash: the 6-character hash in a properties_key. */
export function argumentsHash(args: FieldTable): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(phash2(tableTerm(args, true)));
  return bytes.toString('base64url');
}

/** rabbit_http_util:quote_plus, with ~ quoted too (RabbitMQ's quote_binding): ~ separates the key from the hash. */
export function quoteBinding(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const safe = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x2e || byte === 0x2d || byte === 0x5f;
    if (safe) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function propertiesKey(routingKey: string, args: FieldTable): string {
  if (Object.keys(args).length === 0) return routingKey === '' ? '~' : quoteBinding(routingKey);
  return `${quoteBinding(routingKey)}~${argumentsHash(args)}`;
}

/** rabbit_http_util:unquote: + is a space, %XX a byte (a malformed escape is kept as it is). */
function unquote(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '+') bytes.push(0x20);
    else if (ch === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A properties_key from a path (already percent-decoded once by the router), as
 * rabbit_mgmt_wm_binding:unpack reads it: the routing key, and the arguments' hash when there is
 * one (undefined: the binding has no arguments). undefined for more than one ~.
 */
export function parsePropertiesKey(props: string): { readonly routingKey: string; readonly hash: string | undefined } | undefined {
  const parts = props.split('~');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // "~" and "k~" carry no hash (tokenise drops it)
  if (parts.length > 2) return undefined;
  return { routingKey: unquote(parts[0] as string), hash: parts.length === 2 ? unquote(parts[1] as string) : undefined };
}

/** Whether a binding (its key and arguments) is the one a parsed properties_key names. */
export function bindingMatches(key: { readonly routingKey: string; readonly hash: string | undefined }, routingKey: string, args: FieldTable): boolean {
  if (routingKey !== key.routingKey) return false;
  if (key.hash === undefined) return Object.keys(args).length === 0;
  return argumentsHash(args) === key.hash;
}
