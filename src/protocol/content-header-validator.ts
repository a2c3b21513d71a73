import { PropertyFlag } from './content-header.js';
import { DecodeError } from './errors.js';
import { TableWalker, type WalkLimits } from './field-table-raw.js';

/** Limits on one message's property list; defaults in config (max-header-table-*, max-properties-size). */
export interface PropertyLimits extends WalkLimits {
  /** Bytes of property flags + property list. */
  readonly maxSize: number;
}

/** The properties of class basic in wire order, with how each is laid out. */
const LAYOUT: ReadonlyArray<readonly [flag: number, kind: 'shortstr' | 'table' | 'octet' | 'u64']> = [
  [PropertyFlag.contentType, 'shortstr'],
  [PropertyFlag.contentEncoding, 'shortstr'],
  [PropertyFlag.headers, 'table'],
  [PropertyFlag.deliveryMode, 'octet'],
  [PropertyFlag.priority, 'octet'],
  [PropertyFlag.correlationId, 'shortstr'],
  [PropertyFlag.replyTo, 'shortstr'],
  [PropertyFlag.expiration, 'shortstr'],
  [PropertyFlag.messageId, 'shortstr'],
  [PropertyFlag.timestamp, 'u64'],
  [PropertyFlag.type, 'shortstr'],
  [PropertyFlag.userId, 'shortstr'],
  [PropertyFlag.appId, 'shortstr'],
  [PropertyFlag.clusterId, 'shortstr'],
];

/**
 * Checks a content header's property bytes completely when they arrive, without building anything:
 * flag words, every shortstr length, the headers table walked recursively (every nested length within
 * its enclosing size, known tags, depth and entry limits). Properties are decoded lazily later (from a
 * timer, on dead-lettering, after a restart), where nobody could answer the publisher; what passes here
 * always decodes. Throws DecodeError (a 502 connection error at the publisher, as for method arguments).
 */
export function validateProperties(raw: Buffer, limits: PropertyLimits): void {
  if (raw.length > limits.maxSize) {
    throw new DecodeError('bad-value', `content header properties of ${raw.length} bytes exceed ${limits.maxSize} (limit max-properties-size)`);
  }
  if (raw.length < 2) throw new DecodeError('truncated', 'content header has no property flags');
  const flags = raw.readUInt16BE(0);
  let pos = 2;
  let word = flags;
  while ((word & 1) !== 0) {
    if (pos + 2 > raw.length) throw new DecodeError('truncated', 'content header property flags truncated');
    word = raw.readUInt16BE(pos);
    pos += 2;
    // Class basic has 14 properties, all in the first word: a later word naming one cannot be skipped.
    if ((word & 0xfffe) !== 0) throw new DecodeError('bad-value', 'content header names properties class basic does not have');
  }
  if ((flags & ~FIXED_ONLY) === 0) {
    // delivery-mode and priority only (or nothing): the common publish, two octets at most.
    if (pos + (((flags >> 12) & 1) + ((flags >> 11) & 1)) > raw.length) throw truncated();
    return;
  }
  for (let i = 0; i < LAYOUT.length; i++) {
    const layout = LAYOUT[i] as (typeof LAYOUT)[number];
    if ((flags & layout[0]) !== 0) pos = skipProperty(raw, pos, layout[1], limits);
  }
}

/** Flag bits that need no walking: delivery-mode, priority and the continuation bit (bit 1 is unused). */
const FIXED_ONLY = PropertyFlag.deliveryMode | PropertyFlag.priority | 0x0003;

function skipProperty(raw: Buffer, pos: number, kind: 'shortstr' | 'table' | 'octet' | 'u64', limits: WalkLimits): number {
  const end = raw.length;
  switch (kind) {
    case 'octet':
      if (pos + 1 > end) throw truncated();
      return pos + 1;
    case 'u64':
      if (pos + 8 > end) throw truncated();
      return pos + 8;
    case 'shortstr':
      if (pos + 1 > end || pos + 1 + (raw[pos] as number) > end) throw truncated();
      return pos + 1 + (raw[pos] as number);
    default:
      return new TableWalker(limits).table(raw, pos, end, 1);
  }
}

function truncated(): DecodeError {
  return new DecodeError('truncated', 'content header properties truncated');
}

/**
 * Where one property lies in validated property bytes: [start, end) when present; when absent, start =
 * end = where it would be inserted. Everything before it is skipped, nothing decoded.
 */
export function locateProperty(raw: Buffer, flag: number): { present: boolean; start: number; end: number } {
  const flags = raw.readUInt16BE(0);
  let pos = 2;
  let word = flags;
  while ((word & 1) !== 0) {
    word = raw.readUInt16BE(pos);
    pos += 2;
  }
  for (const [f, kind] of LAYOUT) {
    if (f === flag) {
      if ((flags & f) === 0) return { present: false, start: pos, end: pos };
      return { present: true, start: pos, end: skipProperty(raw, pos, kind, UNLIMITED) };
    }
    if ((flags & f) !== 0) pos = skipProperty(raw, pos, kind, UNLIMITED);
  }
  throw new RangeError(`not a basic property flag: ${flag}`);
}

const UNLIMITED: WalkLimits = { maxEntries: Infinity, maxDepth: Infinity };

/** New property bytes with one property's bytes replaced (or inserted, its flag set); the rest copied. */
export function replaceProperty(raw: Buffer, flag: number, bytes: Buffer): Buffer {
  const at = locateProperty(raw, flag);
  const out = Buffer.allocUnsafe(raw.length - (at.end - at.start) + bytes.length);
  raw.copy(out, 0, 0, at.start);
  bytes.copy(out, at.start);
  raw.copy(out, at.start + bytes.length, at.end);
  out.writeUInt16BE(raw.readUInt16BE(0) | flag, 0);
  return out;
}

/** New property bytes without one property (its flag cleared); the rest copied. */
export function removeProperty(raw: Buffer, flag: number): Buffer {
  const at = locateProperty(raw, flag);
  if (!at.present) return raw;
  const out = Buffer.allocUnsafe(raw.length - (at.end - at.start));
  raw.copy(out, 0, 0, at.start);
  raw.copy(out, at.start, at.end);
  out.writeUInt16BE(raw.readUInt16BE(0) & ~flag & 0xffff, 0);
  return out;
}
