import { FRAME_END, FRAME_OVERHEAD, FrameType } from './constants.js';
import type { FieldTable } from './field-table.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** The 14 basic-class content properties, in wire order (flag bit 15 first). */
export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch (u64: a bigint beyond 2^53, so it re-encodes exactly). */
  timestamp?: number | bigint;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

export const PropertyFlag = {
  contentType: 0x8000,
  contentEncoding: 0x4000,
  headers: 0x2000,
  deliveryMode: 0x1000,
  priority: 0x0800,
  correlationId: 0x0400,
  replyTo: 0x0200,
  expiration: 0x0100,
  messageId: 0x0080,
  timestamp: 0x0040,
  type: 0x0020,
  userId: 0x0010,
  appId: 0x0008,
  clusterId: 0x0004,
} as const;

/** Bit 0 of a flags word: another flags word follows (spec 4.2.6.1). */
const CONTINUATION = 0x0001;

/**
 * Decodes property flags + property list (a content-header payload after class-id, weight and
 * body-size). Only present properties become keys. Extra flag words (continuation bit) name properties
 * beyond the 14 of class basic; they are skipped, as are bytes after the last known property.
 * Throws DecodeError ('truncated', 'bad-value', 'too-deep').
 */
export function decodeProperties(buf: Buffer): BasicProperties {
  const r = new Reader(buf);
  const flags = r.u16();
  let word = flags;
  while ((word & CONTINUATION) !== 0) word = r.u16();
  const p: BasicProperties = {};
  if (flags === 0) return p;
  if ((flags & PropertyFlag.contentType) !== 0) p.contentType = r.shortstr();
  if ((flags & PropertyFlag.contentEncoding) !== 0) p.contentEncoding = r.shortstr();
  if ((flags & PropertyFlag.headers) !== 0) p.headers = r.table();
  if ((flags & PropertyFlag.deliveryMode) !== 0) p.deliveryMode = r.u8();
  if ((flags & PropertyFlag.priority) !== 0) p.priority = r.u8();
  if ((flags & PropertyFlag.correlationId) !== 0) p.correlationId = r.shortstr();
  if ((flags & PropertyFlag.replyTo) !== 0) p.replyTo = r.shortstr();
  if ((flags & PropertyFlag.expiration) !== 0) p.expiration = r.shortstr();
  if ((flags & PropertyFlag.messageId) !== 0) p.messageId = r.shortstr();
  if ((flags & PropertyFlag.timestamp) !== 0) p.timestamp = r.u64Exact();
  if ((flags & PropertyFlag.type) !== 0) p.type = r.shortstr();
  if ((flags & PropertyFlag.userId) !== 0) p.userId = r.shortstr();
  if ((flags & PropertyFlag.appId) !== 0) p.appId = r.shortstr();
  if ((flags & PropertyFlag.clusterId) !== 0) p.clusterId = r.shortstr();
  return p;
}

/** Reads just the first flags word: lets a caller test for a property without decoding any. */
export function propertyFlags(buf: Buffer): number {
  return buf.length < 2 ? 0 : (buf[0]! << 8) | buf[1]!;
}

/**
 * Writes flags + property list. Properties that are undefined or null are absent. Throws RangeError for a
 * shortstr over 255 bytes or a bad table value.
 */
export function encodeProperties(w: Writer, p: BasicProperties): void {
  w.ensure(2);
  const at = w.pos;
  w.pos += 2;
  let flags = 0;
  if (p.contentType != null) {
    flags |= PropertyFlag.contentType;
    w.shortstr(p.contentType);
  }
  if (p.contentEncoding != null) {
    flags |= PropertyFlag.contentEncoding;
    w.shortstr(p.contentEncoding);
  }
  if (p.headers != null) {
    flags |= PropertyFlag.headers;
    w.table(p.headers);
  }
  if (p.deliveryMode != null) {
    flags |= PropertyFlag.deliveryMode;
    w.u8(p.deliveryMode);
  }
  if (p.priority != null) {
    flags |= PropertyFlag.priority;
    w.u8(p.priority);
  }
  if (p.correlationId != null) {
    flags |= PropertyFlag.correlationId;
    w.shortstr(p.correlationId);
  }
  if (p.replyTo != null) {
    flags |= PropertyFlag.replyTo;
    w.shortstr(p.replyTo);
  }
  if (p.expiration != null) {
    flags |= PropertyFlag.expiration;
    w.shortstr(p.expiration);
  }
  if (p.messageId != null) {
    flags |= PropertyFlag.messageId;
    w.shortstr(p.messageId);
  }
  if (p.timestamp != null) {
    flags |= PropertyFlag.timestamp;
    w.u64(p.timestamp);
  }
  if (p.type != null) {
    flags |= PropertyFlag.type;
    w.shortstr(p.type);
  }
  if (p.userId != null) {
    flags |= PropertyFlag.userId;
    w.shortstr(p.userId);
  }
  if (p.appId != null) {
    flags |= PropertyFlag.appId;
    w.shortstr(p.appId);
  }
  if (p.clusterId != null) {
    flags |= PropertyFlag.clusterId;
    w.shortstr(p.clusterId);
  }
  w.buf[at] = flags >>> 8;
  w.buf[at + 1] = flags;
}

export function encodePropertiesBuffer(p: BasicProperties): Buffer {
  const w = new Writer(256);
  encodeProperties(w, p);
  return w.take();
}

/**
 * Writes a whole content-header frame around property bytes kept from the publisher: the delivery hot
 * path re-sends what arrived without decoding or re-encoding it.
 */
export function writeHeaderFrame(
  w: Writer,
  channel: number,
  classId: number,
  bodySize: number,
  rawProperties: Buffer,
): void {
  const size = 12 + rawProperties.length;
  w.ensure(size + FRAME_OVERHEAD);
  const b = w.buf;
  const p = w.pos;
  b[p] = FrameType.Header;
  b[p + 1] = channel >>> 8;
  b[p + 2] = channel;
  b[p + 3] = size >>> 24;
  b[p + 4] = size >>> 16;
  b[p + 5] = size >>> 8;
  b[p + 6] = size;
  b[p + 7] = classId >>> 8;
  b[p + 8] = classId;
  b[p + 9] = 0; // weight
  b[p + 10] = 0;
  const hi = Math.floor(bodySize / 4294967296);
  b[p + 11] = hi >>> 24;
  b[p + 12] = hi >>> 16;
  b[p + 13] = hi >>> 8;
  b[p + 14] = hi;
  b[p + 15] = bodySize >>> 24;
  b[p + 16] = bodySize >>> 16;
  b[p + 17] = bodySize >>> 8;
  b[p + 18] = bodySize;
  b.set(rawProperties, p + 19);
  b[p + 19 + rawProperties.length] = FRAME_END;
  w.pos = p + size + FRAME_OVERHEAD;
  w.frames++;
}

/**
 * Writes body frames of at most frameMax - 8 payload bytes each (frameMax 0 means no limit, spec 4.2.3).
 * An empty body writes no frame: a body-size of 0 in the header is the whole message.
 */
export function writeBodyFrames(w: Writer, channel: number, body: Buffer, frameMax: number): void {
  const total = body.length;
  if (total === 0) return;
  const max = frameMax === 0 ? total : frameMax - FRAME_OVERHEAD;
  if (!(max > 0)) throw new RangeError(`frameMax ${frameMax} leaves no room for a body`);
  const frames = Math.ceil(total / max);
  if (w.referAbove !== 0 && total >= w.referAbove) return referBodyFrames(w, channel, body, max, frames);
  w.ensure(total + frames * FRAME_OVERHEAD);
  const b = w.buf;
  let p = w.pos;
  const hiChannel = channel >>> 8;
  const loChannel = channel & 0xff;
  for (let off = 0; off < total; off += max) {
    const len = Math.min(max, total - off);
    b[p] = FrameType.Body;
    b[p + 1] = hiChannel;
    b[p + 2] = loChannel;
    b[p + 3] = len >>> 24;
    b[p + 4] = len >>> 16;
    b[p + 5] = len >>> 8;
    b[p + 6] = len;
    if (len === total) b.set(body, p + 7);
    else body.copy(b, p + 7, off, off + len);
    b[p + 7 + len] = FRAME_END;
    p += len + FRAME_OVERHEAD;
  }
  w.pos = p;
  w.frames += frames;
}

/** Body frames whose payloads are referenced, not copied: only each frame's 7-byte header and end octet go into the writer. */
function referBodyFrames(w: Writer, channel: number, body: Buffer, max: number, frames: number): void {
  const total = body.length;
  w.ensure(frames * FRAME_OVERHEAD);
  const b = w.buf;
  const hiChannel = channel >>> 8;
  const loChannel = channel & 0xff;
  for (let off = 0; off < total; off += max) {
    const len = Math.min(max, total - off);
    const p = w.pos;
    b[p] = FrameType.Body;
    b[p + 1] = hiChannel;
    b[p + 2] = loChannel;
    b[p + 3] = len >>> 24;
    b[p + 4] = len >>> 16;
    b[p + 5] = len >>> 8;
    b[p + 6] = len;
    w.pos = p + 7;
    w.refer(len === total ? body : body.subarray(off, off + len));
    b[w.pos++] = FRAME_END;
  }
  w.frames += frames;
}
