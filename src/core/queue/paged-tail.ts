import { MinHeap } from '../../util/min-heap.js';
import { Message } from '../message.js';
import type { LocationCodec, PageStore } from '../persistence.js';
import type { DeathReason } from './dead-letter.js';
import { EntryState, type QueueEntry } from './entry.js';
import { readTailRecords, type BrowsedEntry, type TailRecord } from './tail-browse.js';
export type { BrowsedEntry } from './tail-browse.js';

const CHUNK = 65536;
const REMOVED = 1;
const REDELIVERED = 2;
/** The record is the message log's own (a persistent message): read back from there, never written to the page store. */
const LOGGED = 4;

/** Columns for CHUNK paged entries: about 45 bytes a message, and no objects. A LOGGED entry's offset and length are its log record's. */
class Chunk {
  readonly seq = new Float64Array(CHUNK);
  readonly offset = new Float64Array(CHUNK);
  readonly length = new Uint32Array(CHUNK);
  readonly bodyLength = new Uint32Array(CHUNK);
  readonly expiresAt = new Float64Array(CHUNK);
  readonly locA = new Uint32Array(CHUNK);
  readonly locB = new Uint32Array(CHUNK);
  readonly flags = new Uint8Array(CHUNK);
}

/** Where the tail hands what it reads back and what leaves it. */
export interface TailSink {
  /** Entries read back from the head, in order (possibly none, when all were removed meanwhile). */
  landed(entries: QueueEntry[]): void;
  /** A paged message left where it sits: its message-log location. */
  removed(location: unknown): void;
  /** True when the queue dead-letters: removed messages are then read back and handed to deadLetter. */
  readonly deadLetters: boolean;
  deadLetter(message: Message, reason: DeathReason): void;
  /** A paged message left for a reason (expired, dropped from the head), dead-lettered or not: for the counters. */
  dropped?(reason: DeathReason): void;
}

/**
 * The tail of a long queue, paged out: message bytes in a page store, and per message only a
 * small index (seq, position, length, expiry, store location, flags) in typed-array chunks.
 * Entries come back in order, ahead of consumers, by one asynchronous read at a time: the
 * entries of a read in flight still count as in the tail (so new messages keep queueing behind
 * them) until it lands. A paged message that expires, or is dropped from the head, is removed
 * where it sits (through a heap of indices), even while a read covering it is in flight.
 */
export class PagedTail {
  private readonly chunks: Chunk[] = [];
  /** Global index of chunks[0][0]. */
  private base = 0;
  /** Next global index to read back, and next to append. */
  private head = 0;
  private end = 0;
  /** The read in flight covers [readFrom, head); -1 when none is. */
  private readFrom = -1;
  /** Bumped by clear() and destroy(): a read that lands after either is dropped. */
  private generation = 0;
  count = 0;
  bytes = 0;
  private readonly expiry = new MinHeap<number>();
  private readonly store: PageStore;
  private readonly codec: LocationCodec | undefined;
  private readonly sink: TailSink;
  /** Browses whose reads are in flight: finished at once by clear() and destroy() (a read then never lands). */
  private readonly browsing = new Set<() => void>();

  constructor(store: PageStore, codec: LocationCodec | undefined, sink: TailSink) {
    this.store = store;
    this.codec = codec;
    this.sink = sink;
  }

  get nextExpiry(): number | undefined {
    return this.expiry.peekKey();
  }

  get reading(): boolean {
    return this.readFrom >= 0;
  }

  append(e: QueueEntry): void {
    const m = e.message;
    const logged = e.location !== undefined && this.codec?.readRecords !== undefined ? this.codec.recordLength?.(e.location) : undefined;
    if (logged !== undefined) return this.index(e, logged);
    const ex = Buffer.from(m.exchange);
    const rk = Buffer.from(m.routingKey);
    const header = Buffer.allocUnsafe(1 + ex.length + 1 + rk.length + 4);
    let p = header.writeUInt8(ex.length, 0);
    p += ex.copy(header, p);
    p = header.writeUInt8(rk.length, p);
    p += rk.copy(header, p);
    header.writeUInt32BE(m.rawProperties.length, p);
    const offset = this.store.append([header, m.rawProperties, m.body]);
    this.index(e, header.length + m.rawProperties.length + m.body.length, offset);
  }

  /** Indexes an entry whose record is at offset in the page store, or (no offset) its log record of length bytes. */
  private index(e: QueueEntry, length: number, offset?: number): void {
    const m = e.message;
    const i = this.end++;
    this.ensureChunk(i);
    const [c, k] = this.at(i);
    const [a, b] = e.location !== undefined && this.codec !== undefined ? this.codec.encode(e.location) : [0, 0];
    c.seq[k] = e.seq;
    c.offset[k] = offset ?? b;
    c.length[k] = length;
    c.bodyLength[k] = m.body.length;
    c.expiresAt[k] = e.expiresAt;
    c.locA[k] = a;
    c.locB[k] = b;
    c.flags[k] = (e.redelivered ? REDELIVERED : 0) | (offset === undefined ? LOGGED : 0);
    this.count++;
    this.bytes += m.body.length;
    if (e.expiresAt !== 0) this.expiry.push(e.expiresAt, i);
  }

  /**
   * Starts reading back up to max live entries (and about maxBytes) from the front, unless a read
   * is in flight already; they reach the sink's landed() in order. One read covers a contiguous
   * run of records of one file, the page store's or a log segment's (removed ones in it are read
   * over and skipped).
   */
  prefetch(max: number, maxBytes: number): void {
    if (this.readFrom >= 0) return;
    while (this.head < this.end && this.isRemoved(this.head)) this.head++;
    if (this.head === this.end) return this.dropConsumedChunks();
    const first = this.head;
    const [fc, fk] = this.at(first);
    const from = fc.offset[fk] as number;
    const logged = ((fc.flags[fk] as number) & LOGGED) !== 0;
    const file = fc.locA[fk] as number;
    let to = from;
    let last = first;
    let live = 0;
    while (last < this.end && live < max) {
      const [c, k] = this.at(last);
      const recordEnd = (c.offset[k] as number) + (c.length[k] as number);
      if (live > 0 && recordEnd - from > maxBytes) break;
      if (last > first && (((c.flags[k] as number) & LOGGED) !== 0) !== logged) break;
      if (logged && (c.locA[k] !== file || c.offset[k] !== to)) break;
      if (((c.flags[k] as number) & REMOVED) === 0) live++;
      to = recordEnd;
      last++;
    }
    this.readFrom = first;
    this.head = last;
    const generation = this.generation;
    const landed = (block: Buffer | undefined): void => {
      if (generation === this.generation) this.land(first, last, from, block);
    };
    if (logged) (this.codec as Required<LocationCodec>).readRecords(file, from, to - from, landed);
    else this.store.read(from, to - from, landed);
  }

  /**
   * Reads up to count live, unexpired entries after skipping `skip` of them, front first, without
   * changing anything (no flag, count, read-ahead or release): for core/inspect's browse, through
   * readTailRecords (tail-browse.ts). A scan over the index from the front: O(skip + count).
   */
  browse(skip: number, count: number, now: number, done: (entries: BrowsedEntry[]) => void): void {
    const records: TailRecord[] = [];
    for (let i = this.low; i < this.end && records.length < count; i++) {
      const [c, k] = this.at(i);
      const flags = c.flags[k] as number;
      const expiresAt = c.expiresAt[k] as number;
      if ((flags & REMOVED) !== 0 || (expiresAt !== 0 && expiresAt <= now)) continue;
      if (skip-- > 0) continue;
      const logged = (flags & LOGGED) !== 0;
      // The chunk is taken now: the index moves (chunks are dropped) while the reads are out.
      const message = (block: Buffer, at: number): Message | undefined => this.messageAt(c, k, block, at);
      records.push({ seq: c.seq[k] as number, redelivered: (flags & REDELIVERED) !== 0, file: logged ? (c.locA[k] as number) : -1, offset: c.offset[k] as number, length: c.length[k] as number, message });
    }
    const read = (file: number, from: number, length: number, landed: (block: Buffer | undefined) => void): void => {
      if (file >= 0) (this.codec as Required<LocationCodec>).readRecords(file, from, length, landed);
      else this.store.read(from, length, landed);
    };
    readTailRecords(records, read, this.browsing, done);
  }

  /** Paged entries whose expiry passed, removed where they sit. */
  expireDue(now: number): void {
    for (;;) {
      const due = this.expiry.peekKey();
      if (due === undefined || due > now) break;
      const i = this.expiry.pop() as number;
      if (i < this.low) continue; // already read back: the queue's own expiry handles it
      this.removeAt(i, 'expired');
    }
    this.dropConsumedChunks();
  }

  /** Removes the oldest paged entry (x-max-length drop-head); false when there is none. */
  dropHead(reason: DeathReason): boolean {
    for (let i = this.low; i < this.end; i++) {
      if (this.removeAt(i, reason)) return true;
    }
    return false;
  }

  /** Every live entry's store location (purge, delete), then empties the tail. */
  clear(onLocation: (location: unknown) => void): number {
    const n = this.count;
    if (this.codec !== undefined) {
      for (let i = this.low; i < this.end; i++) {
        const [c, k] = this.at(i);
        if (((c.flags[k] as number) & REMOVED) === 0 && c.locA[k] !== 0) onLocation(this.codec.decode(c.locA[k] as number, c.locB[k] as number));
      }
    }
    this.generation++;
    this.readFrom = -1;
    this.head = this.end;
    this.count = 0;
    this.bytes = 0;
    this.expiry.clear();
    this.dropConsumedChunks();
    this.store.clear();
    this.endBrowses();
    return n;
  }

  destroy(): void {
    this.generation++;
    this.store.destroy();
    this.endBrowses();
  }

  private endBrowses(): void {
    for (const finish of [...this.browsing]) finish();
  }

  /** Entries below this index are read back (or on their way back in the read in flight). */
  private get low(): number {
    return this.readFrom >= 0 ? this.readFrom : this.head;
  }

  /** block is undefined when a log segment went (its queue was deleted): nothing lands then. */
  private land(first: number, last: number, from: number, block: Buffer | undefined): void {
    this.readFrom = -1;
    const out: QueueEntry[] = [];
    for (let i = first; i < last; i++) {
      const [c, k] = this.at(i);
      if (((c.flags[k] as number) & REMOVED) !== 0) continue;
      const at = (c.offset[k] as number) - from;
      const message = block === undefined ? undefined : this.messageAt(c, k, block, at);
      if (message !== undefined) out.push(this.entryAt(c, k, message));
      this.count--;
      this.bytes -= c.bodyLength[k] as number;
      if (((c.flags[k] as number) & LOGGED) === 0) this.store.release(c.offset[k] as number);
    }
    this.dropConsumedChunks();
    this.sink.landed(out);
  }

  private removeAt(i: number, reason: DeathReason): boolean {
    const [c, k] = this.at(i);
    if (((c.flags[k] as number) & REMOVED) !== 0) return false;
    c.flags[k] = (c.flags[k] as number) | REMOVED;
    this.count--;
    this.bytes -= c.bodyLength[k] as number;
    this.sink.dropped?.(reason);
    const position = c.offset[k] as number;
    if (((c.flags[k] as number) & LOGGED) !== 0) {
      const codec = this.codec as Required<LocationCodec>;
      const location = codec.decode(c.locA[k] as number, c.locB[k] as number);
      if (!this.sink.deadLetters) {
        this.sink.removed(location);
        return true;
      }
      // Marked removed only once read (and dead-lettered): its log segment must not go before.
      codec.readRecords(c.locA[k] as number, position, c.length[k] as number, (record) => {
        const message = record === undefined ? undefined : this.messageAt(c, k, record, 0);
        if (message !== undefined) this.sink.deadLetter(message, reason);
        this.sink.removed(location);
      });
      return true;
    }
    if (this.codec !== undefined && c.locA[k] !== 0) this.sink.removed(this.codec.decode(c.locA[k] as number, c.locB[k] as number));
    if (!this.sink.deadLetters) {
      this.store.release(position);
      return true;
    }
    // Released only once read: its segment must not go before.
    this.store.read(position, c.length[k] as number, (record) => {
      this.sink.deadLetter(messageOf(record), reason);
      this.store.release(position);
    });
    return true;
  }

  private isRemoved(i: number): boolean {
    const [c, k] = this.at(i);
    return ((c.flags[k] as number) & REMOVED) !== 0;
  }

  private messageAt(c: Chunk, k: number, block: Buffer, at: number): Message | undefined {
    if (((c.flags[k] as number) & LOGGED) === 0) return messageOf(block.subarray(at, at + (c.length[k] as number)));
    const m = (this.codec as Required<LocationCodec>).recordMessage(block, at);
    return m === undefined ? undefined : new Message(m.exchange, m.routingKey, m.properties, m.body);
  }

  private entryAt(c: Chunk, k: number, message: Message): QueueEntry {
    return {
      message,
      seq: c.seq[k] as number,
      priority: 0,
      redelivered: ((c.flags[k] as number) & REDELIVERED) !== 0,
      returnCount: 0,
      expiresAt: c.expiresAt[k] as number,
      state: EntryState.Ready,
      inHeap: false,
      location: c.locA[k] !== 0 && this.codec !== undefined ? this.codec.decode(c.locA[k] as number, c.locB[k] as number) : undefined,
    };
  }

  private at(i: number): [Chunk, number] {
    const rel = i - this.base;
    return [this.chunks[Math.floor(rel / CHUNK)] as Chunk, rel % CHUNK];
  }

  private ensureChunk(i: number): void {
    const rel = i - this.base;
    while (Math.floor(rel / CHUNK) >= this.chunks.length) this.chunks.push(new Chunk());
  }

  private dropConsumedChunks(): void {
    if (this.count === 0 && this.readFrom < 0) {
      // Empty: start over (the store deletes its files as their records are released).
      this.chunks.length = 0;
      this.head = this.end;
      this.base = this.end;
      return;
    }
    while (this.low - this.base >= CHUNK) {
      this.chunks.shift();
      this.base += CHUNK;
    }
  }
}

/** A paged record: exchange, routing key, raw properties and body, as append() laid them out. */
function messageOf(record: Buffer): Message {
  let p = 0;
  const exLen = record.readUInt8(p++);
  const exchange = record.toString('utf8', p, p + exLen);
  p += exLen;
  const rkLen = record.readUInt8(p++);
  const routingKey = record.toString('utf8', p, p + rkLen);
  p += rkLen;
  const propsLen = record.readUInt32BE(p);
  p += 4;
  return new Message(exchange, routingKey, record.subarray(p, p + propsLen), record.subarray(p + propsLen));
}
