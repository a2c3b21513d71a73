import type { FieldTable } from '../protocol/field-table.js';
import type { BindingDestination, ExchangeDefinition, QueueDefinition } from './persistence.js';

/**
 * The port between a vhost's topology and a cluster layer (src/cluster/, loaded only with
 * --cluster-nats). The durability listener calls it after each local change; a change applied
 * from another node is not reported back (the cluster layer mutes itself while it applies one).
 * Without a cluster nothing is set, so a single node does no work here, and none per publish.
 */
export interface TopologyReplicator {
  exchangeDeclared(vhost: string, exchange: ExchangeDefinition): void;
  exchangeDeleted(vhost: string, exchange: ExchangeDefinition): void;
  queueDeclared(vhost: string, queue: QueueDefinition): void;
  queueDeleted(vhost: string, queue: QueueDefinition): void;
  bindingAdded(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void;
  bindingRemoved(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void;
}

/**
 * What a protocol layer waits on: begin() before a method that may change topology, take() after
 * it. take() returns the replicated writes that method caused (a promise that rejects with the
 * coded error to send instead of the reply, e.g. 406 when another node declared the name
 * inequivalently first), or undefined when it caused none.
 */
export interface ReplicationWaits {
  begin(): void;
  take(): Promise<void> | undefined;
}
