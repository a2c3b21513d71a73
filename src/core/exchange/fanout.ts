import type { FieldTable } from '../../protocol/field-table.js';
import { BindingEntry } from './routing-table.js';
import { ScanTable } from './scan-table.js';

/** fanout: every binding gets every message; the key only takes part in a binding's identity. */
export class FanoutRoutingTable<D> extends ScanTable<D, BindingEntry<D>> {
  /** RabbitMQ accepts any key and any arguments on a fanout exchange. */
  validateBinding(_routingKey: string, _args: FieldTable): void {}

  protected entry(destination: D, routingKey: string, args: FieldTable): BindingEntry<D> {
    return new BindingEntry(destination, routingKey, args);
  }

  route(_routingKey: string, _headers: FieldTable | undefined, out: D[]): void {
    this.all.pushAll(out);
  }
}
