import { MinHeap } from '../../util/min-heap.js';
import { Message } from '../message.js';
import type { LocationCodec, PageStore } from '../persistence.js';
import { EntryState, type QueueEntry } from './entry.js';

const CHUNK = 65536;
const REMOVED = 1;
const REDELIVERED = 2;

/** Columns for CHUNK paged entries: about 45 bytes a message, and no objects. */
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

/**
 * The tail of a long queue, paged out: message bytes in a page file, and per message only a
 * small index (seq, file offset, length, expiry, store location, flags) in typed-array chunks.
 * Entries come back (hydrate) in order, ahead of consumers; a paged message that expires is
 * removed where it sits, through a heap of indices.
 */
export class PagedTail {
  private readonly chunks: Chunk[] = [];
  /** Global index of chunks[0][0]. */
  private base = 0;
  /** Next global index to hydrate, and next to append. */
  private head = 0;
  private end = 0;
  count = 0;
  bytes = 0;
  private readonly expiry = new MinHeap<number>();
  private readonly store: PageStore;
  private readonly codec: LocationCodec | undefined;

  constructor(store: PageStore, codec: LocationCodec | undefined) {
    this.store = store;
    this.codec = codec;
  }

  get nextExpiry(): number | undefined {
    return this.expiry.peekKey();
  }

  append(e: QueueEntry): void {
    const m = e.message;
    const ex = Buffer.from(m.exchange);
    const rk = Buffer.from(m.routingKey);
    const header = Buffer.allocUnsafe(1 + ex.length + 1 + rk.length + 4);
    let p = header.writeUInt8(ex.length, 0);
    p += ex.copy(header, p);
    p = header.writeUInt8(rk.length, p);
    p += rk.copy(header, p);
    header.writeUInt32BE(m.rawProperties.length, p);
    const offset = this.store.append([header, m.rawProperties, m.body]);
    const i = this.end++;
    this.ensureChunk(i);
    const [c, k] = this.at(i);
    c.seq[k] = e.seq;
    c.offset[k] = offset;
    c.length[k] = header.length + m.rawProperties.length + m.body.length;
    c.bodyLength[k] = m.body.length;
    c.expiresAt[k] = e.expiresAt;
    const [a, b] = e.location !== undefined && this.codec !== undefined ? this.codec.encode(e.location) : [0, 0];
    c.locA[k] = a;
    c.locB[k] = b;
    c.flags[k] = e.redelivered ? REDELIVERED : 0;
    this.count++;
    this.bytes += m.body.length;
    if (e.expiresAt !== 0) this.expiry.push(e.expiresAt, i);
  }

  /** Up to max live entries from the front, as ready entries, in order. */
  hydrate(max: number, maxBytes: number): QueueEntry[] {
    const out: QueueEntry[] = [];
    if (this.count === 0) return out;
    // One read for the run of records about to come back (they are contiguous in the file).
    let last = this.head;
    let bytes = 0;
    let live = 0;
    while (last < this.end && live < max && bytes < maxBytes) {
      const [c, k] = this.at(last);
      if (((c.flags[k] as number) & REMOVED) === 0) {
        live++;
        bytes += c.length[k] as number;
      }
      last++;
    }
    const [fc, fk] = this.at(this.head);
    const [lc, lk] = this.at(last - 1);
    const from = fc.offset[fk] as number;
    const to = (lc.offset[lk] as number) + (lc.length[lk] as number);
    const block = this.store.read(from, to - from);
    for (let i = this.head; i < last; i++) {
      const [c, k] = this.at(i);
      if (((c.flags[k] as number) & REMOVED) !== 0) continue;
      out.push(this.entryAt(c, k, block.subarray((c.offset[k] as number) - from, (c.offset[k] as number) - from + (c.length[k] as number))));
      this.count--;
      this.bytes -= c.bodyLength[k] as number;
    }
    this.head = last;
    this.dropConsumedChunks();
    return out;
  }

  /** Paged entries whose expiry passed, removed where they sit; read back for dead-lettering. */
  expireDue(now: number, onExpired: (entry: QueueEntry) => void): void {
    for (;;) {
      const due = this.expiry.peekKey();
      if (due === undefined || due > now) return;
      const i = this.expiry.pop() as number;
      if (i < this.head) continue; // already hydrated: the queue's own expiry handles it
      const [c, k] = this.at(i);
      if (((c.flags[k] as number) & REMOVED) !== 0) continue;
      c.flags[k] = (c.flags[k] as number) | REMOVED;
      this.count--;
      this.bytes -= c.bodyLength[k] as number;
      onExpired(this.entryAt(c, k, this.store.read(c.offset[k] as number, c.length[k] as number)));
    }
  }

  /** Every live entry's store location (purge, delete), then empties the tail. */
  clear(onLocation: (location: unknown) => void): number {
    const n = this.count;
    if (this.codec !== undefined) {
      for (let i = this.head; i < this.end; i++) {
        const [c, k] = this.at(i);
        if (((c.flags[k] as number) & REMOVED) === 0 && c.locA[k] !== 0) onLocation(this.codec.decode(c.locA[k] as number, c.locB[k] as number));
      }
    }
    this.head = this.end;
    this.count = 0;
    this.bytes = 0;
    this.expiry.clear();
    this.dropConsumedChunks();
    return n;
  }

  destroy(): void {
    this.store.destroy();
  }

  private entryAt(c: Chunk, k: number, record: Buffer): QueueEntry {
    let p = 0;
    const exLen = record.readUInt8(p++);
    const exchange = record.toString('utf8', p, p + exLen);
    p += exLen;
    const rkLen = record.readUInt8(p++);
    const routingKey = record.toString('utf8', p, p + rkLen);
    p += rkLen;
    const propsLen = record.readUInt32BE(p);
    p += 4;
    const message = new Message(exchange, routingKey, record.subarray(p, p + propsLen), record.subarray(p + propsLen));
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
    if (this.head === this.end) {
      // Empty: start over, file included.
      this.chunks.length = 0;
      this.base = this.head;
      this.store.reset();
      return;
    }
    while (this.head - this.base >= CHUNK) {
      this.chunks.shift();
      this.base += CHUNK;
    }
  }
}
