import type { BindingDestination, ExchangeDefinition, QueueDefinition } from '../core/persistence.js';
import { isExchangeDefinition } from '../core/persistence.js';
import { tableToText } from '../core/replication.js';
import type { FieldTable } from '../protocol/field-table.js';
import { bindingKey, exchangeKey, queueKey } from './keys.js';

/**
 * What the metadata bucket holds under each key (JSON). `origin` is the node that wrote the value;
 * a node skips its own writes when they come back through its watch. A delete is a put of the same
 * record with `deleted: true` (a tombstone), so every change says who made it and a binding's
 * tombstone still names its ends. Arguments are their AMQP encoding in base64: exact, so two nodes
 * compare what was declared with the same equivalence rules.
 */
export interface ExchangeRecord {
  readonly kind: 'exchange';
  readonly vhost: string;
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: string;
}

export interface QueueRecord {
  readonly kind: 'queue';
  readonly vhost: string;
  readonly name: string;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: string;
  /** The node the queue lives on (its messages and consumers). */
  readonly owner: string;
}

export interface BindingRecord {
  readonly kind: 'binding';
  readonly vhost: string;
  readonly source: string;
  readonly destinationKind: 'queue' | 'exchange';
  readonly destination: string;
  readonly routingKey: string;
  readonly arguments: string;
}

export type TopologyRecord = ExchangeRecord | QueueRecord | BindingRecord;
export type StoredRecord = TopologyRecord & { readonly origin: string; readonly deleted?: boolean };

export function exchangeRecord(vhost: string, x: ExchangeDefinition): ExchangeRecord {
  const o = x.options;
  return { kind: 'exchange', vhost, name: x.name, type: x.type, durable: o.durable, autoDelete: o.autoDelete, internal: o.internal, arguments: tableToText(o.arguments) };
}

export function queueRecord(vhost: string, q: QueueDefinition, node: string): QueueRecord {
  const o = q.options;
  return { kind: 'queue', vhost, name: q.name, durable: o.durable, exclusive: o.exclusive, autoDelete: o.autoDelete, arguments: tableToText(o.arguments), owner: o.ownerNode ?? node };
}

export function bindingRecord(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): BindingRecord {
  const destinationKind = isExchangeDefinition(destination) ? 'exchange' : 'queue';
  return { kind: 'binding', vhost, source: source.name, destinationKind, destination: destination.name, routingKey, arguments: tableToText(args) };
}

export function recordKey(r: TopologyRecord): string {
  switch (r.kind) {
    case 'exchange':
      return exchangeKey(r.vhost, r.name);
    case 'queue':
      return queueKey(r.vhost, r.name);
    case 'binding':
      return bindingKey(r.vhost, r.source, r.destinationKind, r.destination, r.routingKey, r.arguments);
  }
}

const encoder = new TextEncoder();

export function encodeRecord(r: TopologyRecord, origin: string, deleted = false): Uint8Array {
  return encoder.encode(JSON.stringify(deleted ? { ...r, origin, deleted: true } : { ...r, origin }));
}

/** A parsed bucket value that is a topology record (the bucket holds definitions records too). */
export function asTopology(v: Record<string, unknown>): StoredRecord | undefined {
  return v['kind'] === 'exchange' || v['kind'] === 'queue' || v['kind'] === 'binding' ? (v as unknown as StoredRecord) : undefined;
}

/** undefined for a value that is not one of ours (the bucket is shared with nothing else, but be safe). */
export function decodeRecord(value: Uint8Array): StoredRecord | undefined {
  if (value.length === 0) return undefined;
  try {
    const r = JSON.parse(new TextDecoder().decode(value)) as StoredRecord;
    return r.kind === 'exchange' || r.kind === 'queue' || r.kind === 'binding' ? r : undefined;
  } catch {
    return undefined;
  }
}
