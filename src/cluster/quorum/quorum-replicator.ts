import type { BindingDestination, ExchangeDefinition, QueueDefinition } from '../../core/persistence.js';
import type { ReplicationWaits, TopologyReplicator } from '../../core/replication.js';
import type { FieldTable } from '../../protocol/field-table.js';
import type { ClusterMetadata } from '../metadata.js';
import { QUORUM_OWNER } from './names.js';
import type { QuorumQueues } from './quorum-queues.js';

/**
 * The metadata replicator with quorum queues' own steps added: a quorum queue declared here answers
 * declare-ok once its metadata record is written and its JetStream stream and consumer exist; one
 * deleted here answers delete-ok once its consumer and messages are dropped; one deleted anywhere cancels its consumers here.
 * Everything else is the metadata's.
 */
export class QuorumReplicator implements TopologyReplicator, ReplicationWaits {
  private pending: Promise<void>[] = [];

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly quorum: QuorumQueues,
  ) {}

  begin(): void {
    this.metadata.begin();
    if (this.pending.length > 0) this.pending = [];
  }

  take(): Promise<void> | undefined {
    const inner = this.metadata.take();
    if (this.pending.length === 0) return inner;
    const all = inner === undefined ? this.pending : [inner, ...this.pending];
    this.pending = [];
    // The record first: a declare the bucket refuses (406) says so, not a JetStream error.
    return inner === undefined ? Promise.all(all).then(() => undefined) : inner.then(() => Promise.all(all)).then(() => undefined);
  }

  catchUp(): Promise<void> {
    return this.metadata.catchUp();
  }

  exchangeDeclared(vhost: string, x: ExchangeDefinition): void {
    this.metadata.exchangeDeclared(vhost, x);
  }

  exchangeDeleted(vhost: string, x: ExchangeDefinition): void {
    this.metadata.exchangeDeleted(vhost, x);
  }

  queueDeclared(vhost: string, q: QueueDefinition): void {
    this.metadata.queueDeclared(vhost, q);
    if (q.options.ownerNode === QUORUM_OWNER && !this.metadata.applying) this.pending.push(this.quorum.declared(vhost, q.name));
  }

  queueDeleted(vhost: string, q: QueueDefinition): void {
    this.metadata.queueDeleted(vhost, q);
    if (q.options.ownerNode !== QUORUM_OWNER) return;
    const here = !this.metadata.applying;
    const dropped = this.quorum.deleted(vhost, q.name, here);
    // delete-ok after the consumer and messages are gone: a declare of the name right after gets a fresh queue.
    if (dropped !== undefined) this.pending.push(dropped);
  }

  bindingAdded(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    this.metadata.bindingAdded(vhost, source, destination, routingKey, args);
  }

  bindingRemoved(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    this.metadata.bindingRemoved(vhost, source, destination, routingKey, args);
  }
}
