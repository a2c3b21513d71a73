import type { NatsConnection } from '@nats-io/transport-node';
import { amqpError } from '../../errors/index.js';
import type { Message } from '../../core/message.js';
import type { SyncTicket } from '../../core/persistence.js';
import type { Queue } from '../../core/queue/queue.js';
import type { QueuePlacement } from '../../core/replication.js';
import type { VirtualHost } from '../../core/vhost.js';
import type { Logger } from '../../util/logger.js';
import { QUORUM_OWNER } from './names.js';
import { QuorumQueueRef } from './quorum-ref.js';
import { QuorumStore, type QuorumStoreOptions } from './quorum-store.js';

/**
 * Quorum queues of a cluster node (issue 15, replicated queues). A durable, non-exclusive,
 * non-auto-delete queue declared with x-queue-type quorum gets QUORUM_OWNER as its owner node: on
 * every node, the declaring one included, it is a stub the router hands to the cluster layer, which
 * publishes its messages to JetStream (quorum-store.ts) and lets consumers on any node pull them
 * (quorum-ref.ts). Nothing of the queue's messages is on this node's disk.
 */
export class QuorumQueues {
  readonly store: QuorumStore;
  private readonly refs = new Map<string, QuorumQueueRef>();

  constructor(
    nc: NatsConnection,
    options: QuorumStoreOptions,
    private readonly logger: Logger,
  ) {
    this.store = new QuorumStore(nc, options, logger);
  }

  /** Where a new queue declared here lives: QUORUM_OWNER for one JetStream can hold, else here (undefined). */
  place(req: QueuePlacement): string | undefined {
    const type = req.arguments['x-queue-type'];
    if (type?.type !== 'string' || type.value !== 'quorum') return undefined;
    // RabbitMQ refuses an exclusive, auto-delete or transient quorum queue; Warren keeps today's local queue for those.
    return req.durable && !req.exclusive && !req.autoDelete ? QUORUM_OWNER : undefined;
  }

  isQuorum(queue: { readonly options: { readonly ownerNode?: string | undefined } }): boolean {
    return queue.options.ownerNode === QUORUM_OWNER;
  }

  publish(vhost: string, queue: Queue, message: Message, ticket: SyncTicket | undefined): boolean {
    this.store.publish(vhost, queue.name, message, ticket);
    return true; // routed: a refusal is a nack, as a full local queue's reject-publish
  }

  refFor(vhost: VirtualHost, queue: Queue): QuorumQueueRef {
    const key = `${vhost.name}\u0000${queue.name}`;
    let ref = this.refs.get(key);
    if (ref === undefined) {
      ref = new QuorumQueueRef(vhost, queue.name, this.store, this.logger, Date.now);
      this.refs.set(key, ref);
    }
    return ref;
  }

  /** Declared on this node: the declare-ok waits until its stream and consumer exist. */
  async declared(vhost: string, queue: string): Promise<void> {
    try {
      await this.store.consumer(vhost, queue);
    } catch (err) {
      this.logger.warn({ event: 'cluster.quorum-declare-failed', vhost, queue, err }, `quorum queue '${queue}': JetStream stream or consumer not created: ${(err as Error).message}`);
      throw amqpError('WARREN_QUORUM_STORE', `quorum queue '${queue}' in vhost '${vhost}': its JetStream stream or consumer could not be created (${(err as Error).message})`);
    }
  }

  /** Deleted (here, or applied from another node): consumers here are cancelled; the deleting node drops its messages. */
  deleted(vhost: string, queue: string, here: boolean): Promise<void> | undefined {
    const key = `${vhost}\u0000${queue}`;
    const ref = this.refs.get(key);
    if (ref !== undefined) {
      this.refs.delete(key);
      ref.deleted();
    }
    this.store.forgetConsumer(vhost, queue);
    if (!here) return undefined;
    return this.store.dropQueue(vhost, queue).catch((err: unknown) => {
      this.logger.warn({ event: 'cluster.quorum-drop-failed', vhost, queue, err }, `quorum queue '${queue}': JetStream consumer or messages not dropped: ${(err as Error).message}`);
    });
  }

  close(): void {
    for (const ref of this.refs.values()) ref.close();
    this.refs.clear();
    this.store.close();
  }
}
