import { DecodeError } from './errors.js';
import { readFieldValue, writeFieldValue, type FieldValue } from './field-table.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';
import { wireBytes } from '../util/wire-string.js';

/**
 * Field tables worked on as bytes. A message's headers table can hold tens of thousands of entries
 * (one content-header frame, ~125 KB for 17,000): decoding it costs ~25 ms and ~1.6 MB of objects. The
 * broker needs only a few keys of it (CC, BCC, x-delay, x-death), so it finds one key by skipping
 * over the others, and adds, replaces or removes entries by copying every other entry's bytes verbatim
 * (which also keeps the publisher's bytes exact through dead-lettering).
 *
 * Offsets: a table starts at its u32 size; a value starts at its tag octet.
 */

/** Limits on what a skip-walk accepts: entries counts table entries and array items over all nesting. */
export interface WalkLimits {
  readonly maxEntries: number;
  readonly maxDepth: number;
}

const NO_LIMITS: WalkLimits = { maxEntries: Infinity, maxDepth: 64 };

/** Sizes of the fixed-width values by tag; -1 for the variable ones. */
const FIXED = new Int8Array(256).fill(-2);
for (const [tag, size] of [
  ['t', 1], ['b', 1], ['B', 1], ['s', 2], ['u', 2], ['I', 4], ['i', 4], ['l', 8], ['f', 4], ['d', 8],
  ['D', 5], ['T', 8], ['V', 0], ['S', -1], ['x', -1], ['A', -1], ['F', -1],
] as const) {
  FIXED[tag.charCodeAt(0)] = size;
}

/**
 * Walks a whole table without building anything, checking every length against its enclosing bound,
 * every tag, the nesting depth and the entry budget. Returns the offset after the table.
 */
export class TableWalker {
  entries = 0;
  constructor(private readonly limits: WalkLimits = NO_LIMITS) {}

  table(buf: Buffer, pos: number, end: number, depth: number): number {
    if (depth > this.limits.maxDepth) throw tooDeep(this.limits.maxDepth);
    const stop = sizedEnd(buf, pos, end);
    let p = pos + 4;
    while (p < stop) {
      if (++this.entries > this.limits.maxEntries) throw tooMany(this.limits.maxEntries);
      const keyLen = buf[p] as number;
      p += 1 + keyLen;
      if (p >= stop) throw truncated('field name');
      // Fixed-width values inline: the common case, and the walk of a 17,000-entry table is all loop.
      const size = FIXED[buf[p] as number] as number;
      if (size >= 0) {
        p += 1 + size;
        if (p > stop) throw truncated('field value');
      } else {
        p = this.value(buf, p, stop, depth);
      }
    }
    return stop;
  }

  private array(buf: Buffer, pos: number, end: number, depth: number): number {
    if (depth > this.limits.maxDepth) throw tooDeep(this.limits.maxDepth);
    const stop = sizedEnd(buf, pos, end);
    let p = pos + 4;
    while (p < stop) {
      if (++this.entries > this.limits.maxEntries) throw tooMany(this.limits.maxEntries);
      p = this.value(buf, p, stop, depth);
    }
    return stop;
  }

  value(buf: Buffer, pos: number, end: number, depth: number): number {
    if (pos >= end) throw truncated('field value');
    const tag = buf[pos] as number;
    const size = FIXED[tag] as number;
    const p = pos + 1;
    if (size >= 0) {
      if (p + size > end) throw truncated('field value');
      return p + size;
    }
    if (size === -2) throw new DecodeError('bad-value', `unknown field value tag 0x${tag.toString(16).padStart(2, '0')}`);
    if (tag === 0x46) return this.table(buf, p, end, depth + 1); // F
    if (tag === 0x41) return this.array(buf, p, end, depth + 1); // A
    return sizedEnd(buf, p, end); // S, x
  }
}

/** The end of a u32-sized region starting at pos, checked against end. */
function sizedEnd(buf: Buffer, pos: number, end: number): number {
  if (pos + 4 > end) throw truncated('length');
  const stop = pos + 4 + buf.readUInt32BE(pos);
  if (stop > end) throw truncated('field table or string');
  return stop;
}

/** The offset of key's value (its tag) in the table at pos, or -1. The table must have been validated. */
export function findValue(buf: Buffer, pos: number, key: Buffer): number {
  const stop = pos + 4 + buf.readUInt32BE(pos);
  const skipper = new TableWalker();
  let p = pos + 4;
  while (p < stop) {
    const keyLen = buf[p] as number;
    const valueAt = p + 1 + keyLen;
    if (keyLen === key.length && bytesEqual(buf, p + 1, key)) return valueAt;
    p = skipper.value(buf, valueAt, stop, 1);
  }
  return -1;
}

/** The decoded value of one key of the table at pos (only that value is decoded), or undefined. */
export function readValue(buf: Buffer, pos: number, key: Buffer): FieldValue | undefined {
  const at = findValue(buf, pos, key);
  if (at < 0) return undefined;
  const r = new Reader(buf, at, pos + 4 + buf.readUInt32BE(pos));
  return readFieldValue(r);
}

export interface TableEdit {
  /** Entries to set: replaced in place where the key exists (its first occurrence), else appended in this order. */
  readonly set?: ReadonlyArray<readonly [string, FieldValue]>;
  /** Keys to drop, every occurrence. */
  readonly remove?: readonly string[];
}

/**
 * A new table (u32 size included) from the one at buf[pos]: every entry not edited is copied byte for
 * byte. This matches what decode-modify-encode did (a decoded table keeps a key's first position).
 */
export function editTable(buf: Buffer, pos: number, edit: TableEdit): Buffer {
  const set = edit.set ?? [];
  const setKeys = set.map(([k]) => wireBytes(k));
  const removeKeys = (edit.remove ?? []).map((k) => wireBytes(k));
  const written = new Array<boolean>(set.length).fill(false);
  const w = new Writer(Math.max(64, buf.readUInt32BE(pos) + 64));
  w.pos = 4;
  const stop = pos + 4 + buf.readUInt32BE(pos);
  const skipper = new TableWalker();
  let p = pos + 4;
  while (p < stop) {
    const keyLen = buf[p] as number;
    const valueAt = p + 1 + keyLen;
    const next = skipper.value(buf, valueAt, stop, 1);
    const i = indexOfKey(setKeys, buf, p + 1, keyLen);
    if (i >= 0) {
      if (!written[i]) {
        written[i] = true;
        w.bytes(buf.subarray(p, valueAt));
        writeFieldValue(w, (set[i] as readonly [string, FieldValue])[1]);
      }
    } else if (indexOfKey(removeKeys, buf, p + 1, keyLen) < 0) {
      w.bytes(buf.subarray(p, next));
    }
    p = next;
  }
  for (let i = 0; i < set.length; i++) {
    if (written[i]) continue;
    const [key, value] = set[i] as readonly [string, FieldValue];
    w.shortstr(key);
    writeFieldValue(w, value);
  }
  const out = w.take();
  out.writeUInt32BE(out.length - 4, 0);
  return out;
}

function indexOfKey(keys: readonly Buffer[], buf: Buffer, at: number, len: number): number {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as Buffer;
    if (k.length === len && bytesEqual(buf, at, k)) return i;
  }
  return -1;
}

/** buf[at, at + key.length) equals key. A JS loop: Buffer#compare with offsets measured ~10x slower for header names. */
function bytesEqual(buf: Buffer, at: number, key: Buffer): boolean {
  for (let i = 0; i < key.length; i++) if (buf[at + i] !== key[i]) return false;
  return true;
}

/**
 * A set of keys matched against a table's entries by their bytes: the headers exchange decodes only the
 * values of keys its bindings mention. Lookup by length first, so most entries cost one array read.
 */
export class RawKeySet {
  private readonly byLength: (Buffer[] | undefined)[] = new Array<Buffer[] | undefined>(256);
  private readonly names = new Map<Buffer, string>();
  readonly size: number;

  constructor(keys: Iterable<string>) {
    let n = 0;
    for (const key of new Set(keys)) {
      const bytes = wireBytes(key);
      if (bytes.length > 255) continue;
      (this.byLength[bytes.length] ??= []).push(bytes);
      this.names.set(bytes, key);
      n++;
    }
    this.size = n;
  }

  /**
   * The entries of the table at pos whose key is in the set, decoded; keys not in the set are skipped
   * without decoding. Duplicate keys: the last value wins, as in a decoded table.
   */
  select(buf: Buffer, pos: number): Record<string, FieldValue> {
    const out = Object.create(null) as Record<string, FieldValue>;
    if (this.size === 0) return out;
    const stop = pos + 4 + buf.readUInt32BE(pos);
    const skipper = new TableWalker();
    let p = pos + 4;
    while (p < stop) {
      const keyLen = buf[p] as number;
      const valueAt = p + 1 + keyLen;
      const candidates = this.byLength[keyLen];
      const i = candidates === undefined ? -1 : indexOfKey(candidates, buf, p + 1, keyLen);
      if (i >= 0) {
        const r = new Reader(buf, valueAt, stop);
        out[this.names.get((candidates as Buffer[])[i] as Buffer) as string] = readFieldValue(r);
        p = r.pos;
      } else {
        p = skipper.value(buf, valueAt, stop, 1);
      }
    }
    return out;
  }
}

function truncated(what: string): DecodeError {
  return new DecodeError('truncated', `truncated input: ${what} runs past its enclosing size`);
}

function tooDeep(max: number): DecodeError {
  return new DecodeError('too-deep', `field tables/arrays nested deeper than ${max} (limit max-header-table-depth)`);
}

function tooMany(max: number): DecodeError {
  return new DecodeError('bad-value', `field tables hold more than ${max} entries in all (limit max-header-table-entries)`);
}
