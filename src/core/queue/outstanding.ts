import type { QueueEntry } from './entry.js';

/** Seqs per segment: a segment is an array indexed by seq, created on the first delivery in its range. */
const SEGMENT_SEQS = 256;

interface Segment {
  readonly slots: (QueueEntry | undefined)[];
  live: number;
}

/**
 * A queue's delivered, unsettled entries by seq: how a delivery id finds its entry. The layout of
 * the channel's UnackedMap (amqp/unacked-map.ts): arrays of SEGMENT_SEQS slots in a Map by segment
 * number, so a delivery or a settle is a small-Map lookup and an array store, with no object per
 * message and no rehash of a map as big as the backlog. An entry that lingers unsettled while the
 * rest of its range is acked keeps at most one segment (2 KB) alive.
 */
export class Outstanding {
  private segments = new Map<number, Segment>();
  private count = 0;
  /** The segment last added to or taken from: deliveries and acks run in seq order, so mostly the one. */
  private lastKey = -1;
  private last: Segment | undefined;

  get size(): number {
    return this.count;
  }

  add(entry: QueueEntry): void {
    const key = Math.floor(entry.seq / SEGMENT_SEQS);
    let seg = this.segment(key);
    if (seg === undefined) {
      seg = { slots: new Array<QueueEntry | undefined>(SEGMENT_SEQS), live: 0 };
      this.segments.set(key, seg);
      this.lastKey = key;
      this.last = seg;
    }
    const i = entry.seq - key * SEGMENT_SEQS;
    if (seg.slots[i] === undefined) {
      seg.live++;
      this.count++;
    }
    seg.slots[i] = entry;
  }

  /** The entry under seq, left in place (listing unacked deliveries). */
  get(seq: number): QueueEntry | undefined {
    const key = Math.floor(seq / SEGMENT_SEQS);
    return this.segments.get(key)?.slots[seq - key * SEGMENT_SEQS];
  }

  /** Removes and returns the entry under seq, or undefined when none is outstanding. */
  take(seq: number): QueueEntry | undefined {
    const key = Math.floor(seq / SEGMENT_SEQS);
    const seg = this.segment(key);
    if (seg === undefined) return undefined;
    const i = seq - key * SEGMENT_SEQS;
    const e = seg.slots[i];
    if (e === undefined) return undefined;
    seg.slots[i] = undefined;
    this.count--;
    if (--seg.live === 0) {
      this.segments.delete(key);
      this.lastKey = -1;
      this.last = undefined;
    }
    return e;
  }

  clear(): void {
    this.segments = new Map();
    this.count = 0;
    this.lastKey = -1;
    this.last = undefined;
  }

  private segment(key: number): Segment | undefined {
    if (key === this.lastKey) return this.last;
    const seg = this.segments.get(key);
    if (seg !== undefined) {
      this.lastKey = key;
      this.last = seg;
    }
    return seg;
  }
}
