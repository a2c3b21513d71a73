import type { Message } from '../message.js';
import type { Principal } from '../principal.js';

/*
 * How a protocol layer reaches a queue: consume with credit, settle by delivery id, basic.get,
 * purge. Publishing goes through the vhost's one publish path (VirtualHost.publish, with its confirm
 * ticket), which enqueues into the queues it routes to. The in-process queue is one implementation
 * (local-queue-ref.ts); a queue owned by another node is meant to be another. Nothing here hands
 * out the queue's own entries: a delivery is named by its id, the pair (queue reference, seq), seq
 * being the queue's sequence number for the message. A message keeps its seq when it is requeued,
 * and only one consumer holds it at a time, so the pair names one outstanding delivery.
 */

/** The consumer side of a subscription; amqp/consumer implements it. */
export interface QueueConsumer {
  readonly tag: string;
  readonly exclusive: boolean;
  /** Deliveries are settled as they are handed out: no delivery id to settle. */
  readonly noAck: boolean;
  /** Who consumes (the connection's principal). */
  readonly owner: Principal;
  /**
   * The credit check, asked before every delivery: prefetch left and the socket accepting writes.
   * When credit comes back (ack, basic.qos, socket drained) the consumer side calls resume().
   */
  canDeliver(): boolean;
  /** How many more deliveries its prefetch allows now (Infinity: no limit): a queue on another node grants credit by it. */
  room?(): number;
  /**
   * One delivery, positional so that none allocates. seq: its id in `queue` (settle it by that
   * unless noAck). deliveryCount: how often it came back unsettled, when the queue has
   * x-delivery-limit (it goes out as x-delivery-count); else 0.
   */
  deliver(queue: QueueRef, seq: number, message: Message, redelivered: boolean, deliveryCount: number): void;
  /** The queue went away under the consumer (deleted): tell the client. */
  cancelledByQueue(queue: QueueRef): void;
}

/** basic.get's answer; one object per queue reference, reused: read it before the next get. */
export interface GetResult {
  seq: number;
  message: Message;
  redelivered: boolean;
  deliveryCount: number;
}

export type ConsumerStatus = 'up' | 'single_active' | 'waiting';

export interface QueueRef {
  readonly vhost: string;
  readonly name: string;
  /** Ready messages (not counting those delivered and unsettled). */
  readonly messageCount: number;
  readonly consumerCount: number;
  /** The queue's x-consumer-timeout in ms, when it has one. */
  readonly consumerTimeout: number | undefined;

  /** Subscribes; 403 ACCESS_REFUSED when an exclusive consumer holds the queue, or when `consumer` is exclusive and others are there. */
  consume(consumer: QueueConsumer, priority: number): void;
  cancel(consumer: QueueConsumer): void;
  /** Credit came back to some consumer of this queue: it may deliver again. */
  resume(): void;
  /** With single active consumer, whether this one is the active one. */
  consumerStatus(consumer: QueueConsumer): ConsumerStatus;

  /**
   * Settling by delivery id. Each returns false, and does nothing, when the id names no delivery
   * outstanding in this queue: never delivered, already settled, delivered with no-ack, or the
   * queue was deleted meanwhile. A protocol layer checks its own tags first (RabbitMQ's 406
   * "unknown delivery tag" is the channel's), so for it false only means the queue is gone.
   */
  ack(seq: number): boolean;
  /** basic.reject / nack: requeued to its original position (or dead-lettered past x-delivery-limit), or dropped as rejected (dead-lettered). */
  reject(seq: number, requeue: boolean): boolean;
  /** Many requeued at once, `seqs` ascending; unknown ids are skipped. In slices when large (see Queue.requeueMany). */
  requeueMany(seqs: readonly number[]): void;
  /** A bulk requeue is being gathered: deliver nothing until the matching release. */
  holdDeliveries(): void;
  releaseDeliveries(): void;

  /** The next ready message, or undefined (get-empty, or `readingBack`). Without noAck it is outstanding under its seq. */
  get(noAck: boolean): GetResult | undefined;
  /** Empty only while its paged tail is read back from disk: a get should wait (whenReadBack) rather than say empty. */
  readonly readingBack: boolean;
  whenReadBack(cb: () => void): void;
  /** Drops the ready messages; returns how many. */
  purge(): number;
}
