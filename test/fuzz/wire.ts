import { FRAME_END, FrameType, PROTOCOL_HEADER } from '../../src/protocol/constants.js';
import { encodeProperties, type BasicProperties } from '../../src/protocol/content-header.js';
import { encodeMethodFrame, type Method } from '../../src/protocol/methods.generated.js';
import { Writer } from '../../src/protocol/writer.js';

/**
 * Frame builders for the fuzzer and the poison-input regressions. Well-formed frames come from Warren's own
 * codec (encodeMethodFrame, encodeProperties); what the codec refuses to write (invalid UTF-8 in a
 * shortstr, a timestamp above 2^53, a truncated property list, any tag byte in a table) is written with
 * the same Writer's primitives, so the poison sits exactly where a hostile client would put it.
 */

/** A string for the wire: a JS string (written as UTF-8) or raw bytes (written as they are). */
export type WireString = string | Buffer;

/** A field-table value with nothing range-checked: any tag, any payload. */
export type RawValue =
  | { readonly tag: 'S' | 'x'; readonly v: WireString }
  | { readonly tag: 't' | 'b' | 'B'; readonly v: number }
  | { readonly tag: 's' | 'u'; readonly v: number }
  | { readonly tag: 'I' | 'i'; readonly v: number }
  | { readonly tag: 'l' | 'T'; readonly v: bigint }
  | { readonly tag: 'f' | 'd'; readonly v: number }
  | { readonly tag: 'D'; readonly scale: number; readonly v: number }
  | { readonly tag: 'A'; readonly v: readonly RawValue[] }
  | { readonly tag: 'F'; readonly v: RawTable }
  | { readonly tag: 'V' }
  /** Any bytes after any tag octet: unknown tags, values cut short. */
  | { readonly tag: 'raw'; readonly octet: number; readonly bytes: Buffer };

export type RawTable = readonly (readonly [key: WireString, value: RawValue])[];

export function wireShortstr(w: Writer, s: WireString): void {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  // Longer than 255 keeps the low byte, as a careless client would: the length octet lies.
  w.u8(b.length & 0xff);
  w.bytes(b);
}

function wireLongstr(w: Writer, s: WireString): void {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  w.u32(b.length);
  w.bytes(b);
}

function patchU32(w: Writer, at: number): void {
  const end = w.pos;
  w.pos = at;
  w.u32(end - at - 4);
  w.pos = end;
}

export function writeRawTable(w: Writer, t: RawTable): void {
  w.ensure(4);
  const at = w.pos;
  w.pos += 4;
  for (const [k, v] of t) {
    wireShortstr(w, k);
    writeRawValue(w, v);
  }
  patchU32(w, at);
}

export function writeRawValue(w: Writer, v: RawValue): void {
  if (v.tag === 'raw') {
    w.u8(v.octet);
    w.bytes(v.bytes);
    return;
  }
  w.u8(v.tag.charCodeAt(0));
  switch (v.tag) {
    case 'S':
    case 'x':
      return wireLongstr(w, v.v);
    case 't':
    case 'b':
    case 'B':
      return w.u8(v.v & 0xff);
    case 's':
    case 'u':
      return w.u16(v.v & 0xffff);
    case 'I':
    case 'i':
      return w.u32(v.v >>> 0);
    case 'l':
    case 'T':
      // BigInt.asUintN: int64 min/max and 2^64-1 all go out as their 64 bits.
      return w.u64(BigInt.asUintN(64, v.v));
    case 'f':
      return w.f32(v.v);
    case 'd':
      return w.f64(v.v);
    case 'D':
      w.u8(v.scale & 0xff);
      return w.u32(v.v >>> 0);
    case 'A': {
      w.ensure(4);
      const at = w.pos;
      w.pos += 4;
      for (const item of v.v) writeRawValue(w, item);
      return patchU32(w, at);
    }
    case 'F':
      return writeRawTable(w, v.v);
    case 'V':
      return;
  }
}

export function rawTableBytes(t: RawTable): Buffer {
  const w = new Writer(256);
  writeRawTable(w, t);
  return w.take();
}

/** Content properties where any field may be raw: the 14 of class basic, in wire order. */
export interface RawProperties {
  contentType?: WireString;
  contentEncoding?: WireString;
  headers?: RawTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: WireString;
  replyTo?: WireString;
  expiration?: WireString;
  messageId?: WireString;
  /** All 64 bits: 0xFFFFFFFFFFFFFFFFn is a legal wire value the codec cannot hold in a number. */
  timestamp?: bigint;
  type?: WireString;
  userId?: WireString;
  appId?: WireString;
  clusterId?: WireString;
}

const PROPERTY_ORDER = [
  'contentType', 'contentEncoding', 'headers', 'deliveryMode', 'priority', 'correlationId', 'replyTo',
  'expiration', 'messageId', 'timestamp', 'type', 'userId', 'appId', 'clusterId',
] as const;

/** Flags + property list for raw properties; well-formed unless a value itself is poison. */
export function rawPropertiesBytes(p: RawProperties): Buffer {
  const w = new Writer(256);
  w.u16(0);
  let flags = 0;
  PROPERTY_ORDER.forEach((name, i) => {
    const v = p[name];
    if (v === undefined) return;
    flags |= 0x8000 >>> i;
    if (name === 'headers') writeRawTable(w, v as RawTable);
    else if (name === 'deliveryMode' || name === 'priority') w.u8(v as number);
    else if (name === 'timestamp') w.u64(BigInt.asUintN(64, v as bigint));
    else wireShortstr(w, v as WireString);
  });
  w.buf[0] = flags >>> 8;
  w.buf[1] = flags & 0xff;
  return w.take();
}

/** Property bytes from the codec itself. */
export function propertiesBytes(p: BasicProperties): Buffer {
  const w = new Writer(256);
  encodeProperties(w, p);
  return w.take();
}

export function frame(type: number, channel: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + payload.length);
  out[0] = type;
  out.writeUInt16BE(channel & 0xffff, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out[7 + payload.length] = FRAME_END;
  return out;
}

export function methodFrame(channel: number, m: Method): Buffer {
  const w = new Writer(512);
  encodeMethodFrame(w, channel, m);
  return w.take();
}

/**
 * A method frame whose shortstr arguments may be raw bytes: the method is encoded by the codec with
 * same-length ASCII stand-ins, which are then overwritten by the raw bytes (lengths stay right). Raw
 * strings over 255 bytes are not representable this way and throw.
 */
export function methodFrameRaw(channel: number, m: Method, raw: Readonly<Record<string, Buffer>>): Buffer {
  const standIns: [Buffer, Buffer][] = [];
  const patched: Record<string, unknown> = { ...m };
  let n = 0;
  for (const [field, bytes] of Object.entries(raw)) {
    if (bytes.length > 255) throw new RangeError(`raw ${field} longer than 255 bytes`);
    // Control characters no seed uses, distinct per field, so the stand-in is found only where it was put.
    const standIn = Buffer.alloc(bytes.length, 0x01 + (n++ % 30));
    if (bytes.length >= 2) standIn[0] = 0x1f;
    patched[field] = standIn.toString('latin1');
    standIns.push([standIn, bytes]);
  }
  const out = methodFrame(channel, patched as unknown as Method);
  for (const [standIn, bytes] of standIns) {
    const at = out.indexOf(standIn, 7);
    if (at < 0) throw new Error('stand-in not found in the encoded method');
    bytes.copy(out, at);
  }
  return out;
}

/**
 * A method frame whose last argument, a field table, is replaced by raw table bytes (queue.declare,
 * exchange.declare, queue.bind, basic.consume, exchange.bind all end with `arguments`).
 */
export function methodFrameWithTable(channel: number, m: Method, table: Buffer, raw: Readonly<Record<string, Buffer>> = {}): Buffer {
  const base = methodFrameRaw(channel, m, raw);
  // The codec wrote an empty table (4 zero bytes) just before the frame end.
  const payload = Buffer.concat([base.subarray(7, base.length - 5), table]);
  return frame(FrameType.Method, channel, payload);
}

/** A content-header frame around any property bytes. */
export function headerFrame(channel: number, bodySize: number, props: Buffer, classId = 60): Buffer {
  const payload = Buffer.allocUnsafe(12 + props.length);
  payload.writeUInt16BE(classId, 0);
  payload.writeUInt16BE(0, 2);
  payload.writeBigUInt64BE(BigInt(bodySize), 4);
  props.copy(payload, 12);
  return frame(FrameType.Header, channel, payload);
}

export function bodyFrame(channel: number, body: Buffer): Buffer {
  return frame(FrameType.Body, channel, body);
}

export { PROTOCOL_HEADER };
