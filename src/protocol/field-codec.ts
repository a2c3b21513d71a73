import { DecodeError } from './errors.js';
import { MAX_FIELD_DEPTH, type FieldTable, type FieldValue } from './field-value.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

// The field-table codec on a Reader/Writer the caller owns. It takes the cursors as types only, so
// reader.ts and writer.ts can call it for table() without an import cycle through field-table.ts.

const TAG = {
  bool: 0x74, // t
  int8: 0x62, // b
  uint8: 0x42, // B
  int16: 0x73, // s
  uint16: 0x75, // u
  int32: 0x49, // I
  uint32: 0x69, // i
  int64: 0x6c, // l
  float: 0x66, // f
  double: 0x64, // d
  decimal: 0x44, // D
  string: 0x53, // S
  bytes: 0x78, // x
  timestamp: 0x54, // T
  array: 0x41, // A
  table: 0x46, // F
  void: 0x56, // V
} as const;

export function readTable(r: Reader): FieldTable {
  return readTableAt(r, 1);
}

export function readFieldValue(r: Reader): FieldValue {
  return readValueAt(r, 1);
}

function readTableAt(r: Reader, depth: number): FieldTable {
  if (depth > MAX_FIELD_DEPTH) throw tooDeep();
  const size = r.u32();
  r.need(size);
  // Entries may not read past the table's declared size: narrow the window, restore it after.
  const outerEnd = r.end;
  const end = r.pos + size;
  r.end = end;
  // A null prototype makes a '__proto__' key from the wire an ordinary key.
  const t = Object.create(null) as Record<string, FieldValue>;
  while (r.pos < end) {
    const key = r.shortstr();
    t[key] = readValueAt(r, depth);
  }
  r.end = outerEnd;
  return t;
}

function readArrayAt(r: Reader, depth: number): FieldValue[] {
  if (depth > MAX_FIELD_DEPTH) throw tooDeep();
  const size = r.u32();
  r.need(size);
  const outerEnd = r.end;
  const end = r.pos + size;
  r.end = end;
  const values: FieldValue[] = [];
  while (r.pos < end) values.push(readValueAt(r, depth));
  r.end = outerEnd;
  return values;
}

function readValueAt(r: Reader, depth: number): FieldValue {
  const tag = r.u8();
  switch (tag) {
    case TAG.string:
      return { type: 'string', value: r.longstrUtf8() };
    case TAG.int32:
      return { type: 'int32', value: r.i32() };
    case TAG.bool:
      return { type: 'bool', value: r.u8() !== 0 };
    case TAG.int64:
      return { type: 'int64', value: r.i64() };
    case TAG.table:
      return { type: 'table', value: readTableAt(r, depth + 1) };
    case TAG.array:
      return { type: 'array', value: readArrayAt(r, depth + 1) };
    case TAG.int8:
      return { type: 'int8', value: r.i8() };
    case TAG.uint8:
      return { type: 'uint8', value: r.u8() };
    case TAG.int16:
      return { type: 'int16', value: r.i16() };
    case TAG.uint16:
      return { type: 'uint16', value: r.u16() };
    case TAG.uint32:
      return { type: 'uint32', value: r.u32() };
    case TAG.float:
      return { type: 'float', value: r.f32() };
    case TAG.double:
      return { type: 'double', value: r.f64() };
    case TAG.decimal: {
      const scale = r.u8();
      return { type: 'decimal', value: { scale, value: r.u32() } };
    }
    case TAG.bytes:
      return { type: 'bytes', value: r.longstr() };
    case TAG.timestamp:
      return { type: 'timestamp', value: r.u64Exact() };
    case TAG.void:
      return { type: 'void', value: null };
    default:
      throw new DecodeError('bad-value', `unknown field value tag 0x${tag.toString(16).padStart(2, '0')}`);
  }
}

function tooDeep(): DecodeError {
  return new DecodeError('too-deep', `field tables/arrays nested deeper than ${MAX_FIELD_DEPTH}`);
}

/**
 * Every tag written here is one amqplib 2.3 decodes (lib/codec.js decodeFields reads all 17:
 * t b B s u I i l f d D S A T F V x), as do RabbitMQ and @cloudamqp/amqp-client, so no type needs
 * mapping to a "safer" tag. Values are range-checked: a wrong value throws RangeError rather than
 * reaching the wire truncated.
 */
export function writeTable(w: Writer, t: FieldTable): void {
  writeTableAt(w, t, 1);
}

export function writeFieldValue(w: Writer, v: FieldValue): void {
  writeValueAt(w, v, 1);
}

function writeTableAt(w: Writer, t: FieldTable, depth: number): void {
  if (depth > MAX_FIELD_DEPTH) throw new RangeError(`field table nested deeper than ${MAX_FIELD_DEPTH}`);
  w.ensure(4);
  const start = w.pos;
  w.pos += 4;
  for (const key in t) {
    const v = t[key];
    if (v === undefined) continue;
    w.shortstr(key);
    writeValueAt(w, v, depth);
  }
  patchSize(w, start);
}

function patchSize(w: Writer, start: number): void {
  const end = w.pos;
  w.pos = start;
  w.u32(end - start - 4);
  w.pos = end;
}

function writeValueAt(w: Writer, v: FieldValue, depth: number): void {
  switch (v.type) {
    case 'string':
      w.u8(TAG.string);
      w.longstr(v.value);
      return;
    case 'bool':
      w.u8(TAG.bool);
      w.u8(v.value ? 1 : 0);
      return;
    case 'int8':
      w.u8(TAG.int8);
      w.i8(int(v.value, -0x80, 0x7f, v.type));
      return;
    case 'uint8':
      w.u8(TAG.uint8);
      w.u8(int(v.value, 0, 0xff, v.type));
      return;
    case 'int16':
      w.u8(TAG.int16);
      w.i16(int(v.value, -0x8000, 0x7fff, v.type));
      return;
    case 'uint16':
      w.u8(TAG.uint16);
      w.u16(int(v.value, 0, 0xffff, v.type));
      return;
    case 'int32':
      w.u8(TAG.int32);
      w.i32(int(v.value, -0x80000000, 0x7fffffff, v.type));
      return;
    case 'uint32':
      w.u8(TAG.uint32);
      w.u32(int(v.value, 0, 0xffffffff, v.type));
      return;
    case 'int64':
      w.u8(TAG.int64);
      w.i64(int64(v.value));
      return;
    case 'float':
      w.u8(TAG.float);
      w.f32(v.value);
      return;
    case 'double':
      w.u8(TAG.double);
      w.f64(v.value);
      return;
    case 'decimal':
      w.u8(TAG.decimal);
      w.u8(int(v.value.scale, 0, 0xff, 'decimal scale'));
      w.u32(int(v.value.value, 0, 0xffffffff, 'decimal value'));
      return;
    case 'bytes':
      w.u8(TAG.bytes);
      w.longstr(v.value);
      return;
    case 'timestamp':
      w.u8(TAG.timestamp);
      w.u64(uint64(v.value));
      return;
    case 'array': {
      w.u8(TAG.array);
      if (depth + 1 > MAX_FIELD_DEPTH) throw new RangeError(`field array nested deeper than ${MAX_FIELD_DEPTH}`);
      w.ensure(4);
      const start = w.pos;
      w.pos += 4;
      for (const item of v.value) writeValueAt(w, item, depth + 1);
      patchSize(w, start);
      return;
    }
    case 'table':
      w.u8(TAG.table);
      writeTableAt(w, v.value, depth + 1);
      return;
    case 'void':
      w.u8(TAG.void);
      return;
    default:
      throw new TypeError(`unknown field value type ${String((v as { type?: unknown }).type)}`);
  }
}

function int(v: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} out of range: ${v}`);
  return v;
}

const UINT64_MAX = 2n ** 64n - 1n;

function uint64(v: number | bigint): number | bigint {
  if (typeof v === 'bigint') {
    if (v < 0n || v > UINT64_MAX) throw new RangeError(`timestamp out of range: ${v}`);
    return v;
  }
  return int(v, 0, Number.MAX_SAFE_INTEGER, 'timestamp');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function int64(v: number | bigint): number | bigint {
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`int64 out of range: ${v}`);
    return v;
  }
  // 2^63 itself is a double; anything at or above it does not fit. Integers beyond 2^53 are exact doubles,
  // so Writer#i64 splits them exactly.
  if (!Number.isInteger(v) || v < -9223372036854775808 || v >= 9223372036854775808) {
    throw new RangeError(`int64 out of range: ${v}`);
  }
  return v;
}
