import type { QueueRef } from '../core/queue/queue-ref.js';
import type { Consumer } from './consumer.js';

/** A delivery awaiting basic.ack / nack / reject (a value: the map stores its fields, not the object). */
export interface Delivery {
  readonly tag: number;
  /** The delivery id: the queue and its seq there. */
  readonly queue: QueueRef;
  readonly seq: number;
  /** undefined for basic.get deliveries. */
  readonly consumer: Consumer | undefined;
  /** Coarse clock ms when delivered, for the consumer timeout. */
  readonly at: number;
}

/**
 * Tags per segment. A segment holds the tags [base, base + SEGMENT_TAGS), so a channel whose tags
 * are mostly no-ack (no entry here) costs at most one segment (8 KB) per unacked delivery.
 */
const SEGMENT_TAGS = 256;
/** Emptied segments kept for reuse, per map: a consumer acking as it goes allocates none. */
const SPARE_SEGMENTS = 2;

function segmentKey(tag: number): number {
  return Math.floor(tag / SEGMENT_TAGS);
}

/**
 * One segment's deliveries as columns, no object per delivery: a prefetch-0 consumer holding a
 * million deliveries as a million objects made the young-generation GC copy and promote them all,
 * 50-128 ms scavenges while they piled up (bench/event-loop-stalls.ts deliver). Slot i is tag
 * base + i: nums[2i] its seq, nums[2i + 1] its delivery time; refs[2i] its queue (undefined: an
 * empty slot), refs[2i + 1] its consumer. The queues and consumers are few long-lived objects.
 */
class Segment {
  base: number;
  live = 0;
  readonly nums = new Float64Array(2 * SEGMENT_TAGS);
  readonly refs: (QueueRef | Consumer | undefined)[] = new Array<QueueRef | Consumer | undefined>(2 * SEGMENT_TAGS).fill(undefined);

  constructor(base: number) {
    this.base = base;
  }

  has(i: number): boolean {
    return this.refs[2 * i] !== undefined;
  }

  put(i: number, d: Delivery): void {
    this.nums[2 * i] = d.seq;
    this.nums[2 * i + 1] = d.at;
    this.refs[2 * i] = d.queue;
    this.refs[2 * i + 1] = d.consumer;
  }

  /** Slot i as a Delivery (a short-lived value for the caller); undefined when empty. */
  read(i: number): Delivery | undefined {
    const queue = this.refs[2 * i] as QueueRef | undefined;
    if (queue === undefined) return undefined;
    return { tag: this.base + i, queue, seq: this.nums[2 * i] as number, consumer: this.refs[2 * i + 1] as Consumer | undefined, at: this.nums[2 * i + 1] as number };
  }

  clear(i: number): void {
    this.refs[2 * i] = undefined;
    this.refs[2 * i + 1] = undefined;
  }
}

/**
 * Settled deliveries in tag order, handed over by whole segments (a multiple ack of a million
 * moves a few thousand segments, not a million entries). Read it with cursor(), as often as needed.
 */
export class DeliveryList {
  readonly length: number;
  /** Segments (detached from the map) or dense arrays, in tag order. */
  private readonly chunks: readonly (Segment | readonly Delivery[])[];

  constructor(chunks: readonly (Segment | readonly Delivery[])[], length: number) {
    this.chunks = chunks;
    this.length = length;
  }

  static of(deliveries: readonly Delivery[]): DeliveryList {
    return new DeliveryList([deliveries], deliveries.length);
  }

  cursor(): DeliveryCursor {
    return new DeliveryCursor(this.chunks);
  }

  /** For small lists only (the caller bounds the length): one array, in tag order. */
  toArray(): Delivery[] {
    const out: Delivery[] = [];
    const c = this.cursor();
    for (let d = c.next(); d !== undefined; d = c.next()) out.push(d);
    return out;
  }
}

/** Reads a DeliveryList in tag order, in as many turns as the caller likes. */
export class DeliveryCursor {
  private readonly chunks: readonly (Segment | readonly Delivery[])[];
  private chunk = 0;
  private offset = 0;

  constructor(chunks: readonly (Segment | readonly Delivery[])[]) {
    this.chunks = chunks;
  }

  /** The next delivery, or undefined at the end. */
  next(): Delivery | undefined {
    while (this.chunk < this.chunks.length) {
      const c = this.chunks[this.chunk] as Segment | readonly Delivery[];
      if (c instanceof Segment) {
        while (this.offset < SEGMENT_TAGS) {
          const d = c.read(this.offset++);
          if (d !== undefined) return d;
        }
      } else if (this.offset < c.length) {
        return c[this.offset++];
      }
      this.chunk++;
      this.offset = 0;
    }
    return undefined;
  }
}

/**
 * A channel's unacknowledged deliveries by delivery tag, in segments of SEGMENT_TAGS tags kept in
 * a Map by segment number. One Map of a million deliveries stalled the event loop 130 ms each time
 * it rehashed while growing (and again while shrinking); a Map of a few thousand segments does
 * not. Tags only grow and segments are created in tag order, so the Map iterates in tag order and
 * `multiple` settles a prefix: whole segments are detached, only the last one is split.
 */
export class UnackedMap {
  private segments = new Map<number, Segment>();
  private count = 0;
  /** The segment adds go to (tags grow: nearly always the last one). */
  private tail: Segment | undefined;
  private spares: Segment[] = [];

  get size(): number {
    return this.count;
  }

  /** Adds the number of deliveries per queue into `into` (for the read model; a pass over every delivery). */
  countByQueue(into: Map<QueueRef, number>): void {
    for (const seg of this.segments.values()) {
      for (let i = 0; i < 2 * SEGMENT_TAGS; i += 2) {
        const q = seg.refs[i] as QueueRef | undefined;
        if (q !== undefined) into.set(q, (into.get(q) ?? 0) + 1);
      }
    }
  }

  /**
   * Visits the deliveries of one queue in tag order, field by field (no object handed out, so a
   * columnar layout can serve it too), until visit returns false: for the management API's list of
   * unacknowledged deliveries, never for the hot path.
   */
  forEachOf(queue: QueueRef, visit: (tag: number, seq: number, consumerTag: string | undefined, at: number) => boolean): void {
    for (const seg of this.segments.values()) {
      for (let i = 0; i < SEGMENT_TAGS; i++) {
        if (seg.refs[2 * i] !== queue) continue;
        const consumer = seg.refs[2 * i + 1] as Consumer | undefined;
        if (!visit(seg.base + i, seg.nums[2 * i] as number, consumer?.tag, seg.nums[2 * i + 1] as number)) return;
      }
    }
  }

  add(delivery: Delivery): void {
    const key = segmentKey(delivery.tag);
    const base = key * SEGMENT_TAGS;
    let seg = this.tail !== undefined && this.tail.base === base ? this.tail : this.segments.get(key);
    if (seg === undefined) {
      // Created in tag order (tags only grow), except by restore(), which re-sorts.
      seg = this.spares.pop() ?? new Segment(base);
      seg.base = base;
      this.segments.set(key, seg);
    }
    this.tail = seg;
    const i = delivery.tag - base;
    if (!seg.has(i)) {
      seg.live++;
      this.count++;
    }
    seg.put(i, delivery);
  }

  get(tag: number): Delivery | undefined {
    const key = segmentKey(tag);
    return this.segments.get(key)?.read(tag - key * SEGMENT_TAGS);
  }

  /**
   * Removes and returns the deliveries a settle names: one tag, or with `multiple` every tag up
   * to it (tag 0 with multiple = all, spec 1.8.3.13). Returns undefined when a single tag, or
   * a multiple settle's own tag, is unknown: the caller raises 406.
   */
  take(tag: number, multiple: boolean): DeliveryList | undefined {
    if (!multiple) {
      const d = this.takeOne(tag);
      return d === undefined ? undefined : DeliveryList.of([d]);
    }
    if (tag === 0) return this.takeAll();
    const last = segmentKey(tag);
    const lastSeg = this.segments.get(last);
    if (lastSeg === undefined || !lastSeg.has(tag - last * SEGMENT_TAGS)) return undefined;
    const chunks: (Segment | Delivery[])[] = [];
    let taken = 0;
    for (const [key, seg] of this.segments) {
      if (key === last) {
        // The split segment's share as values, not a new segment: a consumer acking every few
        // deliveries with multiple=true would otherwise allocate a segment's typed array per ack.
        const part: Delivery[] = [];
        for (let i = 0; i <= tag - seg.base; i++) {
          const d = seg.read(i);
          if (d === undefined) continue;
          part.push(d);
          seg.clear(i);
        }
        seg.live -= part.length;
        if (seg.live === 0) this.drop(key, seg, true);
        chunks.push(part);
        taken += part.length;
        break;
      }
      // Deleting the current key while iterating a Map is safe and visits the rest.
      this.drop(key, seg, false);
      chunks.push(seg);
      taken += seg.live;
    }
    this.count -= taken;
    return new DeliveryList(chunks, taken);
  }

  /** The oldest unacknowledged delivery (tags grow, so in the first segment). */
  oldest(): Delivery | undefined {
    for (const seg of this.segments.values()) {
      for (let i = 0; i < SEGMENT_TAGS; i++) if (seg.has(i)) return seg.read(i);
    }
    return undefined;
  }

  /** One delivery by tag, or undefined when unknown. */
  takeOne(tag: number): Delivery | undefined {
    const key = segmentKey(tag);
    const seg = this.segments.get(key);
    if (seg === undefined) return undefined;
    const i = tag - seg.base;
    const d = seg.read(i);
    if (d === undefined) return undefined;
    seg.clear(i);
    this.count--;
    if (--seg.live === 0) this.drop(key, seg, true);
    return d;
  }

  takeAll(): DeliveryList {
    const list = new DeliveryList([...this.segments.values()], this.count);
    this.segments = new Map();
    this.tail = undefined;
    this.count = 0;
    return list;
  }

  /** Puts deliveries back (a rolled-back transaction's acks); the segments are re-sorted by tag. */
  restore(deliveries: DeliveryList): void {
    if (deliveries.length === 0) return;
    const c = deliveries.cursor();
    for (let d = c.next(); d !== undefined; d = c.next()) this.add(d);
    this.segments = new Map([...this.segments].sort((a, b) => a[0] - b[0]));
  }

  /** seg leaves the map: kept for reuse when empty and not handed to a DeliveryList. */
  private drop(key: number, seg: Segment, reuse: boolean): void {
    this.segments.delete(key);
    if (this.tail === seg) this.tail = undefined;
    if (reuse && this.spares.length < SPARE_SEGMENTS) this.spares.push(seg);
  }
}
