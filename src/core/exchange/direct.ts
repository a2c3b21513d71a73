import type { FieldTable } from '../../protocol/field-table.js';
import type { BindingInfo, RoutingTable } from './exchange-type.js';
import { BindingEntry, BindingIndex, Bucket } from './routing-table.js';

/** direct: a message goes to the bindings whose key equals its routing key exactly. */
export class DirectRoutingTable<D> implements RoutingTable<D> {
  private readonly index = new BindingIndex<D, BindingEntry<D>>();
  private readonly byKey = new Map<string, Bucket<D, BindingEntry<D>>>();

  get size(): number {
    return this.index.size;
  }

  /** RabbitMQ accepts any key and any arguments on a direct exchange. */
  validateBinding(_routingKey: string, _args: FieldTable): void {}

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    if (this.index.find(destination, routingKey, args) !== undefined) return false;
    const entry = new BindingEntry(destination, routingKey, args);
    this.index.add(entry);
    let bucket = this.byKey.get(routingKey);
    if (bucket === undefined) {
      bucket = new Bucket();
      this.byKey.set(routingKey, bucket);
    }
    bucket.add(entry);
    return true;
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    const entry = this.index.find(destination, routingKey, args);
    if (entry === undefined) return false;
    this.index.remove(entry);
    this.detach(entry);
    return true;
  }

  unbindAll(destination: D): number {
    const removed = this.index.removeAll(destination);
    for (const e of removed) this.detach(e);
    return removed.length;
  }

  route(routingKey: string, _headers: FieldTable | undefined, out: D[]): void {
    this.byKey.get(routingKey)?.pushAll(out);
  }

  bindings(): Iterable<BindingInfo<D>> {
    return this.index.snapshot();
  }

  hasBindingsTo(destination: D): boolean {
    return this.index.has(destination);
  }

  private detach(entry: BindingEntry<D>): void {
    const bucket = this.byKey.get(entry.routingKey);
    if (bucket === undefined) return;
    bucket.remove(entry);
    if (bucket.length === 0) this.byKey.delete(entry.routingKey);
  }
}
