import { amqpError } from '../errors/index.js';
import { Message } from '../core/message.js';
import type { ConsumerStatus, GetResult, QueueConsumer, QueueRef } from '../core/queue/queue-ref.js';
import type { Delivery } from './delivery-codec.js';

/** Deliveries an owner may send ahead of the consumer's own credit check; half of it is granted back at a time. */
export const CREDIT_WINDOW = 256;

/** What a RemoteQueueRef sends to the owner node (cluster/remote-consume.ts carries it over NATS). */
export interface OwnerLink {
  /** sub.granted is the initial credit. */
  consume(ref: RemoteQueueRef, sub: RemoteSubscription, priority: number): void;
  cancel(ref: RemoteQueueRef, id: string): void;
  credit(ref: RemoteQueueRef, id: string, n: number): void;
  settle(ref: RemoteQueueRef, op: 'ack' | 'reject' | 'requeue', seq: number): void;
}

/** The credit the owner should hold for a consumer with `waiting` deliveries already here. */
function want(consumer: QueueConsumer, waiting: number): number {
  const room = consumer.room?.() ?? CREDIT_WINDOW;
  return Math.max(0, Math.min(room, CREDIT_WINDOW) - waiting);
}

/** One consumer on this node of a queue another node owns. */
export class RemoteSubscription {
  /** Arrived from the owner, not yet taken by the consumer (at most CREDIT_WINDOW). */
  readonly waiting: Delivery[] = [];
  head = 0;
  /** Credit granted to the owner and not yet used by a delivery arriving here. */
  granted = 0;
  cancelled = false;

  constructor(
    readonly id: string,
    readonly consumer: QueueConsumer,
  ) {}
}

/**
 * A queue that lives on another node, as the protocol layer reaches it (core's QueueRef): consume
 * with credit, settle by delivery id. The owner's queue delivers to a proxy consumer there, with as
 * much credit as the consumer's prefetch has room for (at most CREDIT_WINDOW); here each delivery
 * still waits for the consumer's own credit check (prefetch, socket), so prefetch holds as on a
 * local queue, and what is beyond it stays ready in the owner's queue. Settlements go to the owner, by the
 * owner's delivery ids (its seqs), so requeue-to-position, redelivered flags and x-delivery-count are
 * the owner queue's own. basic.get and purge are not supported across nodes yet.
 */
export class RemoteQueueRef implements QueueRef {
  private readonly subs = new Map<QueueConsumer, RemoteSubscription>();
  private next = 0;

  constructor(
    readonly vhost: string,
    readonly name: string,
    readonly owner: string,
    private readonly link: OwnerLink,
    private readonly idPrefix: string,
  ) {}

  get messageCount(): number {
    return 0; // not known here: the owner's count (declare-ok on the owner node says it)
  }

  get consumerCount(): number {
    return this.subs.size;
  }

  get consumerTimeout(): number | undefined {
    return undefined;
  }

  consume(consumer: QueueConsumer, priority: number): void {
    const sub = new RemoteSubscription(`${this.idPrefix}.${++this.next}`, consumer);
    sub.granted = want(consumer, 0);
    this.subs.set(consumer, sub);
    this.link.consume(this, sub, priority);
  }

  cancel(consumer: QueueConsumer): void {
    const sub = this.subs.get(consumer);
    if (sub === undefined) return;
    this.subs.delete(consumer);
    this.end(sub);
    this.link.cancel(this, sub.id);
  }

  /** The owner refused the consume, cancelled it (queue deleted), or became unreachable. */
  cancelledByOwner(sub: RemoteSubscription): void {
    if (this.subs.get(sub.consumer) !== sub) return;
    this.subs.delete(sub.consumer);
    this.end(sub);
    sub.consumer.cancelledByQueue(this);
  }

  /** Deliveries never handed to the consumer go back to their place in the owner's queue. */
  private end(sub: RemoteSubscription): void {
    sub.cancelled = true;
    for (let i = sub.head; i < sub.waiting.length; i++) {
      const d = sub.waiting[i] as Delivery;
      if (!sub.consumer.noAck) this.link.settle(this, 'requeue', d.seq);
    }
    sub.waiting.length = 0;
    sub.head = 0;
  }

  arrived(sub: RemoteSubscription, d: Delivery): void {
    if (sub.cancelled) {
      if (!sub.consumer.noAck) this.link.settle(this, 'requeue', d.seq);
      return;
    }
    if (sub.granted > 0) sub.granted--;
    sub.waiting.push(d);
    this.drain(sub);
  }

  resume(): void {
    for (const sub of this.subs.values()) this.drain(sub);
  }

  private drain(sub: RemoteSubscription): void {
    const consumer = sub.consumer;
    while (sub.head < sub.waiting.length && !sub.cancelled && consumer.canDeliver()) {
      const d = sub.waiting[sub.head++] as Delivery;
      consumer.deliver(this, d.seq, new Message(d.exchange, d.routingKey, d.properties, d.body, false), d.redelivered, d.deliveryCount);
    }
    if (sub.head === sub.waiting.length) {
      sub.waiting.length = 0;
      sub.head = 0;
    }
    if (sub.cancelled) return;
    // Keep the owner's credit at what the consumer can take now, less what already waits here:
    // so a message beyond the prefetch stays ready in the owner's queue, as on a local one.
    const more = want(consumer, sub.waiting.length - sub.head) - sub.granted;
    if (more >= Math.min(CREDIT_WINDOW / 4, Math.max(1, want(consumer, 0) / 2)) || (more > 0 && sub.granted === 0)) {
      sub.granted += more;
      this.link.credit(this, sub.id, more);
    }
  }

  consumerStatus(): ConsumerStatus {
    return 'up';
  }

  ack(seq: number): boolean {
    this.link.settle(this, 'ack', seq);
    return true;
  }

  reject(seq: number, requeue: boolean): boolean {
    this.link.settle(this, requeue ? 'requeue' : 'reject', seq);
    return true;
  }

  requeueMany(seqs: readonly number[]): void {
    for (const seq of seqs) this.link.settle(this, 'requeue', seq);
  }

  holdDeliveries(): void {}

  releaseDeliveries(): void {}

  get(): GetResult | undefined {
    throw amqpError('WARREN_QUEUE_REMOTE', `basic.get from queue '${this.name}' in vhost '${this.vhost}', which lives on node '${this.owner}', is not supported yet; use basic.consume, or basic.get on that node`);
  }

  get readingBack(): boolean {
    return false;
  }

  whenReadBack(cb: () => void): void {
    cb();
  }

  purge(): number {
    throw amqpError('WARREN_QUEUE_REMOTE', `queue.purge of queue '${this.name}' in vhost '${this.vhost}', which lives on node '${this.owner}', is not supported yet; purge it on that node`);
  }

  /** Every subscription, for the owner going away. */
  subscriptions(): RemoteSubscription[] {
    return [...this.subs.values()];
  }
}
