import { isUtf8 } from 'node:buffer';
import { amqpError } from '../../errors/index.js';
import { isErlangInteger, type FieldTable, type FieldValue } from '../../protocol/field-table.js';
import { RawKeySet } from '../../protocol/field-table-raw.js';
import type { Message } from '../message.js';
import { BindingEntry } from './routing-table.js';
import { ScanTable } from './scan-table.js';

export const X_MATCH_MODES = ['all', 'any', 'all-with-x', 'any-with-x'] as const;
export type XMatchMode = (typeof X_MATCH_MODES)[number];

/**
 * How a binding argument's value is compared with a header's, after RabbitMQ's rabbit_exchange_type_headers
 * (3.13/4.x: `maps:get(K, Headers) =:= V` on values whose AMQP type tags mc_amqpl:routing_headers has dropped).
 * So, at the top level, a value's type matters only through the Erlang term it decodes to:
 * - every integer type (int8 … int64, unsigned too) and timestamp are one class, compared by value: a binding
 *   int8 5 matches a header int32 5 or int64 5n;
 * - float and double are one class (Erlang floats); an integer never equals a float (=:=): int 5 ≠ double 5.0;
 * - string ('S') and bytes ('x') are both Erlang binaries: equal when the bytes are;
 * - bool and decimal (same scale and digits) only match their own kind;
 * - arrays and tables are Erlang lists: of {Type, Value} and of {Key, Type, Value} in wire order. So nested
 *   values are compared type-strictly, tables key by key in order, and (the one cross-kind case) an empty
 *   array equals an empty table;
 * - a binding argument of type void matches any header with that name, whatever its value.
 * One deliberate difference: RabbitMQ 4.x multiplies a header timestamp by 1000 (milliseconds) but not the
 * binding's, so a timestamp binding never matches the same timestamp header; we compare both as sent
 * (seconds), as RabbitMQ 3.x did.
 */
const CLASS = { int: 0, float: 1, binary: 2, bool: 3, decimal: 4, void: 5, list: 6 } as const;
type ValueClass = (typeof CLASS)[keyof typeof CLASS];

function classOf(v: FieldValue): ValueClass {
  if (isErlangInteger(v)) return CLASS.int;
  switch (v.type) {
    case 'float':
    case 'double':
      return CLASS.float;
    case 'string':
    case 'bytes':
      return CLASS.binary;
    case 'bool':
      return CLASS.bool;
    case 'decimal':
      return CLASS.decimal;
    case 'void':
      return CLASS.void;
    default: // array, table
      return CLASS.list;
  }
}

/** One binding argument, prepared at bind time so route() compares without converting or allocating. */
class Pattern {
  readonly key: string;
  readonly value: FieldValue;
  readonly cls: ValueClass;
  /** void: presence is enough. */
  readonly presenceOnly: boolean;
  /** The key names an Object.prototype member ('constructor', …): check the header is an own property. */
  readonly inherited: boolean;
  /** For strings and bytes, the value in both forms (string undefined: bytes that are not UTF-8). */
  readonly text: string | undefined;
  readonly bytes: Buffer | undefined;

  constructor(key: string, value: FieldValue) {
    this.key = key;
    this.value = value;
    this.cls = classOf(value);
    this.presenceOnly = value.type === 'void';
    this.inherited = key in Object.prototype;
    if (value.type === 'string') {
      this.text = value.value;
      this.bytes = Buffer.from(value.value, 'utf8');
    } else if (value.type === 'bytes') {
      this.text = isUtf8(value.value) ? value.value.toString('utf8') : undefined;
      this.bytes = value.value;
    } else {
      this.text = undefined;
      this.bytes = undefined;
    }
  }

  lookup(headers: FieldTable | undefined): FieldValue | undefined {
    if (headers === undefined) return undefined;
    const v = headers[this.key];
    if (v === undefined || (this.inherited && !Object.hasOwn(headers, this.key))) return undefined;
    return v;
  }

  matches(h: FieldValue): boolean {
    if (this.presenceOnly) return true;
    if (classOf(h) !== this.cls) return false;
    const p = this.value;
    switch (this.cls) {
      case CLASS.int:
        // number and bigint (int64) compare exactly under ==.
        // eslint-disable-next-line eqeqeq
        return (p.value as number | bigint) == (h.value as number | bigint);
      case CLASS.binary:
        return h.type === 'string' ? h.value === this.text : (h.value as Buffer).equals(this.bytes as Buffer);
      case CLASS.decimal:
        return decimalsEqual(p, h);
      case CLASS.list:
        return p.type === h.type ? nestedEqual(p, h) : isEmptyList(p) && isEmptyList(h);
      default:
        return p.value === h.value;
    }
  }
}

function isEmptyList(v: FieldValue): boolean {
  return v.type === 'array' ? v.value.length === 0 : v.type === 'table' && Object.keys(v.value).length === 0;
}

function decimalsEqual(a: FieldValue, b: FieldValue): boolean {
  const x = a.value as { scale: number; value: number };
  const y = b.value as { scale: number; value: number };
  return x.scale === y.scale && x.value === y.value;
}

/** Type-strict, order-strict equality, as Erlang compares the tagged values inside arrays and tables. */
function nestedEqual(a: FieldValue, b: FieldValue): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'int64':
      // eslint-disable-next-line eqeqeq
      return a.value == (b.value as number | bigint);
    case 'decimal':
      return decimalsEqual(a, b);
    case 'bytes':
      return a.value.equals(b.value as Buffer);
    case 'void':
      return true;
    case 'array': {
      const bl = b.value as readonly FieldValue[];
      if (a.value.length !== bl.length) return false;
      for (let i = 0; i < bl.length; i++) if (!nestedEqual(a.value[i] as FieldValue, bl[i] as FieldValue)) return false;
      return true;
    }
    case 'table': {
      const ak = Object.keys(a.value);
      const bt = b.value as FieldTable;
      const bk = Object.keys(bt);
      if (ak.length !== bk.length) return false;
      for (let i = 0; i < ak.length; i++) {
        const k = ak[i] as string;
        if (k !== bk[i] || !nestedEqual(a.value[k] as FieldValue, bt[k] as FieldValue)) return false;
      }
      return true;
    }
    default:
      return a.value === b.value;
  }
}

/** A binding compiled for matching: its mode and the arguments that take part. */
export class HeadersBinding<D> extends BindingEntry<D> {
  readonly mode: XMatchMode;
  private readonly any: boolean;
  private readonly patterns: readonly Pattern[];
  /** The header names this binding looks at. */
  readonly keys: readonly string[];

  constructor(destination: D, routingKey: string, args: FieldTable) {
    super(destination, routingKey, args);
    this.mode = xMatchMode(args);
    this.any = this.mode === 'any' || this.mode === 'any-with-x';
    const withX = this.mode === 'all-with-x' || this.mode === 'any-with-x';
    const patterns: Pattern[] = [];
    for (const key of Object.keys(args)) {
      // x-match itself never takes part; other x- arguments only in the *-with-x modes.
      if (key === 'x-match' || (!withX && key.startsWith('x-'))) continue;
      const value = args[key];
      if (value !== undefined) patterns.push(new Pattern(key, value));
    }
    this.patterns = patterns;
    this.keys = patterns.map((p) => p.key);
  }

  /** all: every argument matches (true when none take part); any: at least one does (false when none). */
  matches(headers: FieldTable | undefined): boolean {
    const ps = this.patterns;
    if (this.any) {
      for (let i = 0; i < ps.length; i++) {
        const p = ps[i] as Pattern;
        const h = p.lookup(headers);
        if (h !== undefined && p.matches(h)) return true;
      }
      return false;
    }
    for (let i = 0; i < ps.length; i++) {
      const p = ps[i] as Pattern;
      const h = p.lookup(headers);
      if (h === undefined || !p.matches(h)) return false;
    }
    return true;
  }
}

/** The binding's x-match (all when absent). Assumes validateHeadersBinding passed. */
function xMatchMode(args: FieldTable): XMatchMode {
  const xm = Object.hasOwn(args, 'x-match') ? args['x-match'] : undefined;
  if (xm?.type === 'string' && (X_MATCH_MODES as readonly string[]).includes(xm.value)) return xm.value as XMatchMode;
  return 'all';
}

/** RabbitMQ's validate_binding: x-match, when present, must be a longstr naming one of the four modes. */
export function validateHeadersBinding(args: FieldTable): void {
  const xm = Object.hasOwn(args, 'x-match') ? args['x-match'] : undefined;
  if (xm === undefined) return;
  if (xm.type !== 'string') {
    throw amqpError('WARREN_ARGUMENT_INVALID', `Invalid x-match field type ${xm.type}; expected longstr`);
  }
  if (!(X_MATCH_MODES as readonly string[]).includes(xm.value)) {
    throw amqpError(
      'WARREN_ARGUMENT_INVALID',
      `Invalid x-match field value ${JSON.stringify(xm.value)}; expected all, any, all-with-x, or any-with-x`,
    );
  }
}

/** Whether a message with these headers matches a binding with these arguments (one-off; compiles each call). */
export function headersMatch(args: FieldTable, headers: FieldTable | undefined): boolean {
  validateHeadersBinding(args);
  return new HeadersBinding(undefined, '', args).matches(headers);
}

/** Whether a header value satisfies a binding argument's value (see the comment on CLASS for the rules). */
export function headerValueMatches(binding: FieldValue, header: FieldValue): boolean {
  return new Pattern('', binding).matches(header);
}

/** headers: routes on the message's headers; the routing key only takes part in a binding's identity. */
export class HeadersRoutingTable<D> extends ScanTable<D, HeadersBinding<D>> {
  /** The names any binding looks at, rebuilt after bind/unbind on the next route. */
  private keySet: RawKeySet | undefined;

  validateBinding(_routingKey: string, args: FieldTable): void {
    validateHeadersBinding(args);
  }

  override bind(destination: D, routingKey: string, args: FieldTable): boolean {
    this.keySet = undefined;
    return super.bind(destination, routingKey, args);
  }

  override unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    this.keySet = undefined;
    return super.unbind(destination, routingKey, args);
  }

  override unbindAll(destination: D): number {
    this.keySet = undefined;
    return super.unbindAll(destination);
  }

  /**
   * The message's headers that some binding mentions, decoded; the others are skipped over as bytes.
   * A header table of 17,000 entries costs a skip-walk, not 17,000 decoded values (~25 ms).
   */
  headersOf(message: Message): FieldTable | undefined {
    const at = message.headersAt();
    if (at < 0) return undefined;
    if (this.keySet === undefined) {
      const keys: string[] = [];
      for (const b of this.all.entries) keys.push(...b.keys);
      this.keySet = new RawKeySet(keys);
    }
    return this.keySet.select(message.rawProperties, at);
  }

  protected entry(destination: D, routingKey: string, args: FieldTable): HeadersBinding<D> {
    return new HeadersBinding(destination, routingKey, args);
  }

  /** Every binding is tried: nothing indexes arbitrary header predicates well (RabbitMQ scans too). */
  route(_routingKey: string, headers: FieldTable | undefined, out: D[]): void {
    const bs = this.all.entries;
    for (let i = 0, n = bs.length; i < n; i++) {
      const b = bs[i] as HeadersBinding<D>;
      if (b.matches(headers)) out.push(b.destination);
    }
  }
}

/** The headers a headers-routing exchange's table needs from a message (only those keys decoded). */
export function routingHeadersOf(table: unknown, message: Message): FieldTable | undefined {
  if (table instanceof HeadersRoutingTable) return table.headersOf(message);
  return message.headersAt() < 0 ? undefined : message.properties.headers;
}
