/**
 * Bookkeeping every routing table shares: binding identity (destination, key, arguments), the per-destination
 * index behind unbindAll/hasBindingsTo, and dense buckets that route() copies destinations from.
 * createRoutingTable lives in exchange-factory.ts, which imports the type modules that import this file; keep this
 * file free of runtime imports from them (type-only imports are fine) so the graph has no cycle.
 */
import { tablesEqual, type FieldTable } from '../../protocol/field-table.js';
import type { BindingInfo } from './exchange-type.js';

/** One binding. `slot` is its index in the one Bucket that holds it, so removal is O(1). */
export class BindingEntry<D> implements BindingInfo<D> {
  readonly destination: D;
  readonly routingKey: string;
  readonly args: FieldTable;
  slot = -1;

  constructor(destination: D, routingKey: string, args: FieldTable) {
    this.destination = destination;
    this.routingKey = routingKey;
    this.args = args;
  }
}

/**
 * The bindings of one exchange by destination, then by key. Finding a binding costs O(bindings with that
 * destination and key), usually one, whatever the exchange's size: a fanout with 100k queues or a queue
 * bound under 10k keys binds in constant time.
 */
export class BindingIndex<D, E extends BindingEntry<D>> {
  private readonly byDestination = new Map<D, Map<string, E[]>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  find(destination: D, routingKey: string, args: FieldTable): E | undefined {
    const list = this.byDestination.get(destination)?.get(routingKey);
    if (list === undefined) return undefined;
    // Arguments are part of a binding's identity, compared type-strictly and in any key order: RabbitMQ sorts
    // binding arguments before storing them and keeps their type tags, so int8 5 and int32 5 are two bindings.
    for (const e of list) if (tablesEqual(e.args, args)) return e;
    return undefined;
  }

  add(entry: E): void {
    let byKey = this.byDestination.get(entry.destination);
    if (byKey === undefined) {
      byKey = new Map();
      this.byDestination.set(entry.destination, byKey);
    }
    const list = byKey.get(entry.routingKey);
    if (list === undefined) byKey.set(entry.routingKey, [entry]);
    else list.push(entry);
    this.count++;
  }

  remove(entry: E): void {
    const byKey = this.byDestination.get(entry.destination);
    const list = byKey?.get(entry.routingKey);
    if (byKey === undefined || list === undefined) return;
    const i = list.indexOf(entry);
    if (i < 0) return;
    list.splice(i, 1);
    this.count--;
    if (list.length === 0) {
      byKey.delete(entry.routingKey);
      if (byKey.size === 0) this.byDestination.delete(entry.destination);
    }
  }

  /** Forgets every binding to destination and returns them. */
  removeAll(destination: D): E[] {
    const byKey = this.byDestination.get(destination);
    if (byKey === undefined) return [];
    this.byDestination.delete(destination);
    const removed: E[] = [];
    for (const list of byKey.values()) for (const e of list) removed.push(e);
    this.count -= removed.length;
    return removed;
  }

  has(destination: D): boolean {
    return this.byDestination.has(destination);
  }

  snapshot(): BindingInfo<D>[] {
    const out: BindingInfo<D>[] = [];
    for (const byKey of this.byDestination.values()) {
      for (const list of byKey.values()) {
        for (const e of list) out.push({ destination: e.destination, routingKey: e.routingKey, args: e.args });
      }
    }
    return out;
  }
}

/** A dense list of bindings; `destinations` runs parallel so route() is one tight copy loop. */
export class Bucket<D, E extends BindingEntry<D>> {
  readonly destinations: D[] = [];
  readonly entries: E[] = [];

  get length(): number {
    return this.entries.length;
  }

  add(entry: E): void {
    entry.slot = this.entries.length;
    this.entries.push(entry);
    this.destinations.push(entry.destination);
  }

  /** Swap-remove: order inside a bucket carries no meaning. */
  remove(entry: E): void {
    const slot = entry.slot;
    const last = this.entries.length - 1;
    const moved = this.entries[last];
    if (slot < 0 || moved === undefined || this.entries[slot] !== entry) return;
    this.entries[slot] = moved;
    this.destinations[slot] = moved.destination;
    moved.slot = slot;
    this.entries.pop();
    this.destinations.pop();
    entry.slot = -1;
  }

  pushAll(out: D[]): void {
    const d = this.destinations;
    for (let i = 0, n = d.length; i < n; i++) out.push(d[i] as D);
  }
}
