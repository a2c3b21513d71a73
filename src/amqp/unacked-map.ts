import type { QueueRef } from '../core/queue/queue-ref.js';
import type { Consumer } from './consumer.js';

/** A delivery awaiting basic.ack / nack / reject. */
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
 * Tags per segment. A segment is an array indexed by tag, so a channel whose tags are mostly
 * no-ack (no entry here) costs at most SEGMENT_TAGS slots (2 KB) per unacked delivery.
 */
const SEGMENT_TAGS = 256;

/** The slots of tags [key * SEGMENT_TAGS, (key + 1) * SEGMENT_TAGS), and how many are filled. */
interface Segment {
  readonly slots: (Delivery | undefined)[];
  live: number;
}

function segmentKey(tag: number): number {
  return Math.floor(tag / SEGMENT_TAGS);
}

/**
 * Settled deliveries in tag order, handed over by whole segments (a multiple ack of a million
 * moves a few thousand arrays, not a million entries). Read it with cursor(), as often as needed.
 */
export class DeliveryList {
  readonly length: number;
  /** Dense chunks or whole segments' slot arrays (with holes). */
  private readonly chunks: readonly (readonly (Delivery | undefined)[])[];

  constructor(chunks: readonly (readonly (Delivery | undefined)[])[], length: number) {
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
  private readonly chunks: readonly (readonly (Delivery | undefined)[])[];
  private chunk = 0;
  private offset = 0;

  constructor(chunks: readonly (readonly (Delivery | undefined)[])[]) {
    this.chunks = chunks;
  }

  /** The next delivery, or undefined at the end. */
  next(): Delivery | undefined {
    while (this.chunk < this.chunks.length) {
      const slots = this.chunks[this.chunk] as readonly (Delivery | undefined)[];
      while (this.offset < slots.length) {
        const d = slots[this.offset++];
        if (d !== undefined) return d;
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

  get size(): number {
    return this.count;
  }

  /** Adds the number of deliveries per queue into `into` (for the read model; a pass over every delivery). */
  countByQueue(into: Map<QueueRef, number>): void {
    for (const seg of this.segments.values()) {
      for (const d of seg.slots) if (d !== undefined) into.set(d.queue, (into.get(d.queue) ?? 0) + 1);
    }
  }

  /**
   * Visits the deliveries of one queue in tag order, field by field (no object handed out, so a
   * columnar layout can serve it too), until visit returns false: for the management API's list of
   * unacknowledged deliveries, never for the hot path.
   */
  forEachOf(queue: QueueRef, visit: (tag: number, seq: number, consumerTag: string | undefined, at: number) => boolean): void {
    for (const seg of this.segments.values()) {
      for (const d of seg.slots) if (d !== undefined && d.queue === queue && !visit(d.tag, d.seq, d.consumer?.tag, d.at)) return;
    }
  }

  add(delivery: Delivery): void {
    const key = segmentKey(delivery.tag);
    let seg = this.segments.get(key);
    if (seg === undefined) {
      // Created in tag order (tags only grow), except by restore(), which re-sorts.
      seg = { slots: new Array<Delivery | undefined>(SEGMENT_TAGS), live: 0 };
      this.segments.set(key, seg);
    }
    const i = delivery.tag - key * SEGMENT_TAGS;
    if (seg.slots[i] === undefined) {
      seg.live++;
      this.count++;
    }
    seg.slots[i] = delivery;
  }

  get(tag: number): Delivery | undefined {
    const key = segmentKey(tag);
    return this.segments.get(key)?.slots[tag - key * SEGMENT_TAGS];
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
    if (this.get(tag) === undefined) return undefined;
    const last = segmentKey(tag);
    const chunks: (Delivery | undefined)[][] = [];
    let taken = 0;
    for (const [key, seg] of this.segments) {
      if (key === last) {
        const part: Delivery[] = [];
        for (let i = 0; i <= tag - key * SEGMENT_TAGS; i++) {
          const d = seg.slots[i];
          if (d === undefined) continue;
          part.push(d);
          seg.slots[i] = undefined;
        }
        seg.live -= part.length;
        if (seg.live === 0) this.segments.delete(key);
        chunks.push(part);
        taken += part.length;
        break;
      }
      // Deleting the current key while iterating a Map is safe and visits the rest.
      this.segments.delete(key);
      chunks.push(seg.slots);
      taken += seg.live;
    }
    this.count -= taken;
    return new DeliveryList(chunks, taken);
  }

  /** The oldest unacknowledged delivery (tags grow, so in the first segment). */
  oldest(): Delivery | undefined {
    for (const seg of this.segments.values()) {
      for (const d of seg.slots) if (d !== undefined) return d;
    }
    return undefined;
  }

  /** One delivery by tag, or undefined when unknown. */
  takeOne(tag: number): Delivery | undefined {
    const key = segmentKey(tag);
    const seg = this.segments.get(key);
    if (seg === undefined) return undefined;
    const i = tag - key * SEGMENT_TAGS;
    const d = seg.slots[i];
    if (d === undefined) return undefined;
    seg.slots[i] = undefined;
    this.count--;
    if (--seg.live === 0) this.segments.delete(key);
    return d;
  }

  takeAll(): DeliveryList {
    const chunks = [...this.segments.values()].map((s) => s.slots);
    const list = new DeliveryList(chunks, this.count);
    this.segments = new Map();
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

}
