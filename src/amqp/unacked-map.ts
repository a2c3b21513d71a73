import type { Queue, QueueEntry } from '../core/queue/queue.js';
import type { Consumer } from './consumer.js';

/** A delivery awaiting basic.ack / nack / reject. */
export interface Delivery {
  readonly tag: number;
  readonly queue: Queue;
  readonly entry: QueueEntry;
  /** undefined for basic.get deliveries. */
  readonly consumer: Consumer | undefined;
  /** Coarse clock ms when delivered, for the consumer timeout. */
  readonly at: number;
}

/**
 * A channel's unacknowledged deliveries by delivery tag. Tags only grow, and a Map iterates in
 * insertion order, so `multiple` settles a prefix without sorting.
 */
export class UnackedMap {
  private readonly byTag = new Map<number, Delivery>();

  get size(): number {
    return this.byTag.size;
  }

  add(delivery: Delivery): void {
    this.byTag.set(delivery.tag, delivery);
  }

  get(tag: number): Delivery | undefined {
    return this.byTag.get(tag);
  }

  /**
   * Removes and returns the deliveries a settle names: one tag, or with `multiple` every tag up
   * to it (tag 0 with multiple = all, spec 1.8.3.13). Returns undefined when a single tag, or
   * a multiple settle's own tag, is unknown: the caller raises 406.
   */
  take(tag: number, multiple: boolean): Delivery[] | undefined {
    if (!multiple) {
      const d = this.takeOne(tag);
      return d === undefined ? undefined : [d];
    }
    if (tag !== 0 && !this.byTag.has(tag)) return undefined;
    const out: Delivery[] = [];
    for (const [t, d] of this.byTag) {
      if (tag !== 0 && t > tag) break;
      out.push(d);
    }
    for (const d of out) this.byTag.delete(d.tag);
    return out;
  }

  /** The oldest unacknowledged delivery (tags grow, so the first in the map). */
  oldest(): Delivery | undefined {
    for (const d of this.byTag.values()) return d;
    return undefined;
  }

  /** One delivery by tag, or undefined when unknown. */
  takeOne(tag: number): Delivery | undefined {
    const d = this.byTag.get(tag);
    if (d !== undefined) this.byTag.delete(tag);
    return d;
  }

  takeAll(): Delivery[] {
    const out = [...this.byTag.values()];
    this.byTag.clear();
    return out;
  }

  /** Puts deliveries back (a rolled-back transaction's acks). */
  restore(deliveries: readonly Delivery[]): void {
    if (deliveries.length === 0) return;
    const all = [...this.byTag.values(), ...deliveries].sort((a, b) => a.tag - b.tag);
    this.byTag.clear();
    for (const d of all) this.byTag.set(d.tag, d);
  }

  /** Adds the number of deliveries per queue into `into` (for the read model; a pass over every delivery). */
  countByQueue(into: Map<Queue, number>): void {
    for (const d of this.byTag.values()) into.set(d.queue, (into.get(d.queue) ?? 0) + 1);
  }

  /** Drops every delivery from a deleted queue. */
  dropQueue(queue: Queue): Delivery[] {
    const out: Delivery[] = [];
    for (const d of this.byTag.values()) if (d.queue === queue) out.push(d);
    for (const d of out) this.byTag.delete(d.tag);
    return out;
  }
}
