import { amqpError } from '../errors/index.js';
import type { FieldTable, FieldValue } from '../protocol/field-table.js';
import { fieldValuesEqual, isErlangInteger } from '../protocol/field-table.js';

/**
 * The arguments a redeclare must repeat, as RabbitMQ 3.10 checks them (rabbit_exchange and
 * rabbit_amqqueue declare_args): only these are compared, any other argument may differ, so an
 * application that works against RabbitMQ is not refused here. x-delivery-limit is added because
 * Warren implements it on every queue (RabbitMQ compares it on quorum queues).
 */
export const EXCHANGE_EQUIVALENCE_ARGS: readonly string[] = ['alternate-exchange'];
export const QUEUE_EQUIVALENCE_ARGS: readonly string[] = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-single-active-consumer',
  'x-queue-master-locator',
  'x-queue-version',
  'x-queue-type',
  'x-delivery-limit',
];

/** RabbitMQ's wording for a redeclare that does not match: "inequivalent arg 'durable' ...". */
export function assertEquivalentFlag(
  kind: 'exchange' | 'queue',
  name: string,
  vhost: string,
  arg: string,
  received: boolean | string,
  current: boolean | string,
): void {
  if (received === current) return;
  throw inequivalent(kind, name, vhost, arg, `'${String(received)}'`, `'${String(current)}'`);
}

/**
 * rabbit_misc:assert_args_equivalence: each listed key must be absent on both sides, or present
 * with equal values of one type class (every integer width is one class, float and double
 * another), or hold the very same Erlang term (a longstr and a byte array with the same bytes, a
 * timestamp and an integer with the same value). The text follows RabbitMQ's: bare values when
 * both are present, "the value 'v' of type 't'" (RabbitMQ's type names) when one is missing.
 */
export function assertEquivalentArgs(
  kind: 'exchange' | 'queue',
  name: string,
  vhost: string,
  received: FieldTable,
  current: FieldTable,
  keys: readonly string[],
): void {
  for (const key of keys) {
    const a = Object.hasOwn(received, key) ? received[key] : undefined;
    const b = Object.hasOwn(current, key) ? current[key] : undefined;
    if (a === undefined && b === undefined) continue;
    if (a !== undefined && b !== undefined) {
      if (valuesEquivalent(a, b)) continue;
      throw inequivalent(kind, name, vhost, key, bare(a), bare(b));
    }
    // A queue declared without x-queue-type is a classic queue: naming 'classic' later is the same.
    if (key === 'x-queue-type' && isClassic(a ?? b)) continue;
    throw inequivalent(kind, name, vhost, key, described(a), described(b));
  }
}

function inequivalent(kind: string, name: string, vhost: string, arg: string, received: string, current: string) {
  return amqpError(
    'WARREN_INEQUIVALENT_ARG',
    `inequivalent arg '${arg}' for ${kind} '${name}' in vhost '${vhost}': received ${received} but current is ${current}`,
  );
}

function isClassic(v: FieldValue | undefined): boolean {
  return v?.type === 'string' && v.value === 'classic';
}

function valuesEquivalent(a: FieldValue, b: FieldValue): boolean {
  if (fieldValuesEqual(a, b)) return true;
  const fa = floatOf(a);
  const fb = floatOf(b);
  if (fa !== undefined && fb !== undefined) return fa === fb;
  const ia = integerOf(a);
  const ib = integerOf(b);
  if (ia !== undefined && ib !== undefined) return ia === ib;
  const ba = binaryOf(a);
  const bb = binaryOf(b);
  return ba !== undefined && bb !== undefined && ba.equals(bb);
}

/** Integer widths compare by class; a timestamp holds the same Erlang integer, so it matches too. */
function integerOf(v: FieldValue): bigint | undefined {
  return isErlangInteger(v) ? BigInt(v.value) : undefined;
}

function floatOf(v: FieldValue): number | undefined {
  return v.type === 'float' || v.type === 'double' ? v.value : undefined;
}

function binaryOf(v: FieldValue): Buffer | undefined {
  if (v.type === 'bytes') return v.value;
  return v.type === 'string' ? Buffer.from(v.value, 'utf8') : undefined;
}

// ---- RabbitMQ's rendering of values (rabbit_misc:val/1, Erlang's ~s and ~p) ---------------------

/** rabbit_binary_parser's names for the field types, which RabbitMQ prints. */
export const RABBIT_TYPE_NAMES: { readonly [T in FieldValue['type']]: string } = {
  bool: 'bool',
  int8: 'byte',
  uint8: 'unsignedbyte',
  int16: 'short',
  uint16: 'unsignedshort',
  int32: 'signedint',
  uint32: 'unsignedint',
  int64: 'long',
  float: 'float',
  double: 'double',
  decimal: 'decimal',
  string: 'longstr',
  bytes: 'binary',
  timestamp: 'timestamp',
  array: 'array',
  table: 'table',
  void: 'void',
};

export function rabbitTypeName(v: FieldValue): string {
  return RABBIT_TYPE_NAMES[v.type];
}

/** val(Value): a void value is Erlang's undefined, which RabbitMQ prints as none. */
function bare(v: FieldValue): string {
  return v.type === 'void' ? 'none' : `'${text(v)}'`;
}

function described(v: FieldValue | undefined): string {
  return v === undefined ? 'none' : `the value '${text(v)}' of type '${rabbitTypeName(v)}'`;
}

/** A top-level value: binaries as their text (~s), anything else as an Erlang term (~p). */
function text(v: FieldValue): string {
  if (v.type === 'string') return v.value;
  if (v.type === 'bytes') return v.value.toString('utf8');
  return term(v);
}

function term(v: FieldValue): string {
  switch (v.type) {
    case 'string':
      return binary(Buffer.from(v.value, 'utf8'));
    case 'bytes':
      return binary(v.value);
    case 'float':
    case 'double':
      return erlangFloat(v.value);
    case 'decimal':
      return `{${v.value.scale},${v.value.value}}`;
    case 'void':
      return 'undefined';
    case 'array':
      return `[${v.value.map((x) => `{${rabbitTypeName(x)},${term(x)}}`).join(',')}]`;
    case 'table':
      return `[${Object.entries(v.value)
        .map(([k, x]) => `{${binary(Buffer.from(k, 'utf8'))},${rabbitTypeName(x)},${term(x)}}`)
        .join(',')}]`;
    default:
      return String(v.value);
  }
}

/** ~p of a binary: <<"text">> when printable ASCII, else its bytes. */
function binary(b: Buffer): string {
  const s = b.toString('latin1');
  if (!/^[\x20-\x7e]*$/.test(s)) return `<<${[...b].join(',')}>>`;
  return `<<"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}">>`;
}

/**
 * Erlang prints a float with the fewest digits that read back exactly, in whichever of plain or
 * scientific notation is shorter (plain on a tie), always with a fraction: 100.0, 1.0e3, 1.0e-10.
 */
function erlangFloat(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const [mantissa = '0', exp = '0'] = x.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const e = Number(exp);
  const sign = negative ? '-' : '';
  const sci = `${sign}${digits[0] ?? '0'}.${digits.length > 1 ? digits.slice(1) : '0'}e${e}`;
  let plain: string;
  if (e >= 0) {
    const int = digits.length > e + 1 ? digits.slice(0, e + 1) : digits.padEnd(e + 1, '0');
    const frac = digits.length > e + 1 ? digits.slice(e + 1) : '0';
    plain = `${sign}${int}.${frac}`;
  } else {
    plain = `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  }
  return plain.length <= sci.length ? plain : sci;
}
