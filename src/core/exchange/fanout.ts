import type { FieldTable } from '../../protocol/field-table.js';
import type { BindingInfo, RoutingTable } from './exchange-type.js';
import { BindingEntry, BindingIndex, Bucket } from './routing-table.js';

/** fanout: every binding gets every message; the key only takes part in a binding's identity. */
export class FanoutRoutingTable<D> implements RoutingTable<D> {
  private readonly index = new BindingIndex<D, BindingEntry<D>>();
  private readonly all = new Bucket<D, BindingEntry<D>>();

  get size(): number {
    return this.index.size;
  }

  /** RabbitMQ accepts any key and any arguments on a fanout exchange. */
  validateBinding(_routingKey: string, _args: FieldTable): void {}

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    if (this.index.find(destination, routingKey, args) !== undefined) return false;
    const entry = new BindingEntry(destination, routingKey, args);
    this.index.add(entry);
    this.all.add(entry);
    return true;
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    const entry = this.index.find(destination, routingKey, args);
    if (entry === undefined) return false;
    this.index.remove(entry);
    this.all.remove(entry);
    return true;
  }

  unbindAll(destination: D): number {
    const removed = this.index.removeAll(destination);
    for (const e of removed) this.all.remove(e);
    return removed.length;
  }

  route(_routingKey: string, _headers: FieldTable | undefined, out: D[]): void {
    this.all.pushAll(out);
  }

  bindings(): Iterable<BindingInfo<D>> {
    return this.index.snapshot();
  }

  hasBindingsTo(destination: D): boolean {
    return this.index.has(destination);
  }
}
