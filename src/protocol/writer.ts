import { FRAME_END, FRAME_HEADER_SIZE } from './constants.js';
import { writeTable } from './field-codec.js';
import type { FieldTable } from './field-value.js';
import { escapedByteLength, needsEscapedWrite, writeEscaped } from '../util/wire-string.js';

const TWO_32 = 4294967296;
/** Above this, measuring a string first beats reserving 3 bytes per UTF-16 unit. */
const MEASURE_THRESHOLD = 4096;

/**
 * A growable output cursor. Frames are written in place: `beginFrame` reserves the 7-byte header,
 * `endFrame` backpatches the size and appends 0xCE, so a method, its header and its body frames end up in
 * one buffer and one socket write.
 *
 * A writer made with `referAbove` keeps large body payloads by reference instead (`refer`, `takeChunks`):
 * a body is then never copied on its way to the socket, only the small frames around it are.
 *
 * Fixed-width integer writes do not range-check (they keep the low bits, like `buf[i] = v`): callers are
 * typed broker code. Values from users (field tables) are checked in field-table.ts.
 */
export class Writer {
  buf: Buffer;
  pos: number;
  /** Frames completed in this writer (endFrame and the content-frame writers), never reset: a connection's frames out. */
  frames = 0;
  /**
   * Body payloads of at least this many bytes are referenced (see `refer`) instead of copied into `buf`;
   * 0 (the default) copies everything, so `take()` is one buffer.
   */
  readonly referAbove: number;
  /** Bytes of the referenced chunks: `pos + referencedBytes` is what `takeChunks()` hands out. */
  referencedBytes = 0;
  /** Referenced chunks, each to go out just before the byte at `refAt[i]` of `buf`. */
  private readonly refs: Buffer[] = [];
  private readonly refAt: number[] = [];

  constructor(initialSize = 65536, referAbove = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(initialSize, 16));
    this.pos = 0;
    this.referAbove = referAbove;
  }

  /** Bytes written so far, referenced chunks included. */
  get length(): number {
    return this.pos + this.referencedBytes;
  }

  /**
   * Appends `chunk` by reference: it goes out at this point, between what was written before and what is
   * written after, without being copied. The caller must not change it until it has been written out.
   */
  refer(chunk: Buffer): void {
    this.refs.push(chunk);
    this.refAt.push(this.pos);
    this.referencedBytes += chunk.length;
  }

  /** Drops everything written since `start` (a `pos` taken before), referenced chunks included: an encode failure leaves no partial frame. */
  rollback(start: number): void {
    this.pos = start;
    const at = this.refAt;
    while (at.length > 0 && (at[at.length - 1] as number) >= start) {
      at.pop();
      this.referencedBytes -= (this.refs.pop() as Buffer).length;
    }
  }

  /** Makes room for n more bytes, doubling the buffer (and copying what was written) when needed. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const needed = this.pos + n;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  /** Unsigned 64-bit. Numbers are exact up to 2^53; pass a bigint for anything larger. */
  u64(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === 'bigint') {
      this.buf.writeBigUInt64BE(v, this.pos);
      this.pos += 8;
      return;
    }
    this.put64(Math.floor(v / TWO_32), v >>> 0);
  }

  i8(v: number): void {
    this.u8(v & 0xff);
  }

  i16(v: number): void {
    this.u16(v & 0xffff);
  }

  i32(v: number): void {
    this.u32(v >>> 0);
  }

  i64(v: number | bigint): void {
    this.ensure(8);
    if (typeof v === 'bigint') {
      this.buf.writeBigInt64BE(v, this.pos);
      this.pos += 8;
      return;
    }
    const hi = Math.floor(v / TWO_32);
    this.put64(hi, v - hi * TWO_32);
  }

  private put64(hi: number, lo: number): void {
    const b = this.buf;
    const p = this.pos;
    b[p] = hi >>> 24;
    b[p + 1] = hi >>> 16;
    b[p + 2] = hi >>> 8;
    b[p + 3] = hi;
    b[p + 4] = lo >>> 24;
    b[p + 5] = lo >>> 16;
    b[p + 6] = lo >>> 8;
    b[p + 7] = lo;
    this.pos = p + 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.buf.writeFloatBE(v, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string of at most 255 bytes; longer throws RangeError. */
  shortstr(s: string): void {
    const len = s.length;
    if (len > 255) throw shortstrTooLong(s);
    // A UTF-16 unit never takes more than 3 UTF-8 bytes, so this is always enough room.
    this.ensure(1 + len * 3);
    const b = this.buf;
    const p = this.pos;
    const n = writeUtf8(b, s, p + 1);
    if (n > 255) throw shortstrTooLong(s);
    b[p] = n;
    this.pos = p + 1 + n;
  }

  /** A u32-length-prefixed byte string; strings are written as UTF-8 (escaped bytes as the bytes). */
  longstr(v: Buffer | string): void {
    if (typeof v !== 'string') {
      this.u32(v.length);
      this.bytes(v);
      return;
    }
    const room = v.length <= MEASURE_THRESHOLD ? v.length * 3 : needsEscapedWrite(v) ? escapedByteLength(v) : Buffer.byteLength(v);
    this.ensure(4 + room);
    const p = this.pos;
    const n = writeUtf8(this.buf, v, p + 4);
    this.pos = p;
    this.u32(n);
    this.pos = p + 4 + n;
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  table(t: FieldTable): void {
    writeTable(this, t);
  }

  /** Writes type and channel, reserves the size, and returns the frame's start for `endFrame`. */
  beginFrame(type: number, channel: number): number {
    this.ensure(FRAME_HEADER_SIZE);
    const b = this.buf;
    const p = this.pos;
    b[p] = type;
    b[p + 1] = channel >>> 8;
    b[p + 2] = channel;
    this.pos = p + FRAME_HEADER_SIZE;
    return p;
  }

  /** Backpatches the payload size of the frame begun at `start` and appends the frame-end octet. */
  endFrame(start: number): void {
    const size = this.pos - start - FRAME_HEADER_SIZE;
    this.ensure(1);
    const b = this.buf;
    b[start + 3] = size >>> 24;
    b[start + 4] = size >>> 16;
    b[start + 5] = size >>> 8;
    b[start + 6] = size;
    b[this.pos++] = FRAME_END;
    this.frames++;
  }

  reset(): void {
    this.pos = 0;
    this.clearRefs();
  }

  /** Copies out everything written so far as one buffer and resets. */
  take(): Buffer {
    if (this.refs.length > 0) {
      const length = this.length;
      return Buffer.concat(this.takeChunks(), length);
    }
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }

  /**
   * Everything written so far, in order, and resets: the bytes of `buf` copied out once (views into one
   * copy), interleaved with the referenced chunks as they are. For a gathered write (writev).
   */
  takeChunks(): Buffer[] {
    const copy = Buffer.allocUnsafe(this.pos);
    this.buf.copy(copy, 0, 0, this.pos);
    const out: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < this.refs.length; i++) {
      const at = this.refAt[i] as number;
      if (at > from) out.push(copy.subarray(from, at));
      out.push(this.refs[i] as Buffer);
      from = at;
    }
    if (this.pos > from) out.push(copy.subarray(from, this.pos));
    this.pos = 0;
    this.clearRefs();
    return out;
  }

  private clearRefs(): void {
    if (this.refs.length === 0) return;
    this.refs.length = 0;
    this.refAt.length = 0;
    this.referencedBytes = 0;
  }
}

/**
 * Writes s as UTF-8 at offset (room must be reserved) and returns the byte count. Short ASCII strings are
 * copied in JS: a native call costs more than the copy at the lengths of names and tags. A string that is
 * not well-formed carries bytes that were not UTF-8 (surrogate escapes, see util/wire-string.ts) and is
 * written back byte for byte; the check runs only off the ASCII fast path.
 */
function writeUtf8(b: Buffer, s: string, offset: number): number {
  const len = s.length;
  // 64 covers server-generated consumer tags (31) and queue names (amq.gen-…, 30): they never reach the
  // native calls below (the well-formedness check is one more of those).
  if (len <= 64) {
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[offset + i] = c;
    }
    if (i === len) return len;
  }
  if (needsEscapedWrite(s)) return writeEscaped(b, s, offset);
  return b.write(s, offset, 'utf8');
}

function shortstrTooLong(s: string): RangeError {
  return new RangeError(`shortstr longer than 255 bytes (${escapedByteLength(s)}): ${s.slice(0, 32)}...`);
}
