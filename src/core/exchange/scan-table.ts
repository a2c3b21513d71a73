import type { FieldTable } from '../../protocol/field-table.js';
import type { BindingInfo, RoutingTable } from './exchange-type.js';
import { BindingIndex, Bucket, type BindingEntry } from './routing-table.js';

/**
 * The routing table of types that route by looking at every binding (fanout, headers): an
 * identity index for bind/unbind plus one bucket of all bindings to scan.
 */
export abstract class ScanTable<D, E extends BindingEntry<D>> implements RoutingTable<D> {
  protected readonly index = new BindingIndex<D, E>();
  protected readonly all = new Bucket<D, E>();

  get size(): number {
    return this.index.size;
  }

  abstract validateBinding(routingKey: string, args: FieldTable): void;
  abstract route(routingKey: string, headers: FieldTable | undefined, out: D[]): void;
  protected abstract entry(destination: D, routingKey: string, args: FieldTable): E;

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    this.validateBinding(routingKey, args);
    if (this.index.find(destination, routingKey, args) !== undefined) return false;
    const entry = this.entry(destination, routingKey, args);
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

  bindings(): Iterable<BindingInfo<D>> {
    return this.index.snapshot();
  }

  hasBindingsTo(destination: D): boolean {
    return this.index.has(destination);
  }
}
