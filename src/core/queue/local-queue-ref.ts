import { amqpError } from '../../errors/index.js';
import type { QueueEntry } from './entry.js';
import { Outstanding } from './outstanding.js';
import type { Queue } from './queue.js';
import type { ConsumerStatus, GetResult, QueueConsumer, QueueRef } from './queue-ref.js';

/**
 * The in-process queue behind a QueueRef: one per Queue (queue.ref), translating delivery ids to
 * the queue's entries through its Outstanding index. Deliveries stay positional calls and the
 * index stores the entries themselves, so a delivery costs no object beyond what the queue had.
 */
export class LocalQueueRef implements QueueRef {
  private readonly queue: Queue;
  private readonly outstanding = new Outstanding();
  private readonly got: GetResult = { seq: 0, message: undefined as never, redelivered: false, deliveryCount: 0 };

  constructor(queue: Queue) {
    this.queue = queue;
  }

  get vhost(): string {
    return this.queue.vhost;
  }

  get name(): string {
    return this.queue.name;
  }

  get messageCount(): number {
    return this.queue.messageCount;
  }

  get consumerCount(): number {
    return this.queue.consumerCount;
  }

  get consumerTimeout(): number | undefined {
    return this.queue.args.consumerTimeout;
  }

  /** Delivered and not yet settled. */
  get outstandingCount(): number {
    return this.outstanding.size;
  }

  /** The queue hands `entry` (now unacked) to `consumer`: indexed under its seq unless no-ack, counted, settled if no-ack. */
  handOut(consumer: QueueConsumer, entry: QueueEntry): void {
    const q = this.queue;
    const noAck = consumer.noAck;
    if (!noAck) this.outstanding.add(entry);
    consumer.deliver(this, entry.seq, entry.message, entry.redelivered, this.deliveryCount(entry));
    q.counters.delivered(entry, noAck);
    if (noAck) q.settle(entry);
  }

  consume(consumer: QueueConsumer, priority: number): void {
    const q = this.queue;
    if (q.consumers.some((c) => c.exclusive) || (consumer.exclusive && q.consumerCount > 0)) {
      throw amqpError('WARREN_EXCLUSIVE_CONSUMER', `queue '${q.name}' in vhost '${q.vhost}' in exclusive use`);
    }
    q.addConsumer(consumer, priority);
  }

  cancel(consumer: QueueConsumer): void {
    this.queue.removeConsumer(consumer);
  }

  resume(): void {
    this.queue.scheduleDrain();
  }

  consumerStatus(consumer: QueueConsumer): ConsumerStatus {
    if (!this.queue.args.singleActiveConsumer) return 'up';
    // Registration order: the first consumer of a single-active-consumer queue is its active one.
    return this.queue.consumers[0] === consumer ? 'single_active' : 'waiting';
  }

  ack(seq: number): boolean {
    const entry = this.outstanding.take(seq);
    if (entry === undefined) return false;
    this.queue.settle(this.queue.counters.acked(entry));
    return true;
  }

  reject(seq: number, requeue: boolean): boolean {
    const entry = this.outstanding.take(seq);
    if (entry === undefined) return false;
    if (requeue) this.queue.requeue(entry);
    else this.queue.reject(entry);
    return true;
  }

  requeueMany(seqs: readonly number[]): void {
    this.queue.requeueMany(seqs); // looked up slice by slice (takeOutstanding)
  }

  /** The queue's side of a delivery id: the entry, no longer outstanding. */
  takeOutstanding(seq: number): QueueEntry | undefined {
    return this.outstanding.take(seq);
  }

  /** The entry behind a delivery id, left outstanding: for listing unacked deliveries (core/inspect). */
  outstandingEntry(seq: number): QueueEntry | undefined {
    return this.outstanding.get(seq);
  }

  holdDeliveries(): void {
    this.queue.holdDeliveries();
  }

  releaseDeliveries(): void {
    this.queue.releaseDeliveries();
  }

  get(noAck: boolean): GetResult | undefined {
    const entry = this.queue.get(noAck);
    if (entry === undefined) return undefined;
    if (noAck) this.queue.settle(entry);
    else this.outstanding.add(entry);
    const r = this.got;
    r.seq = entry.seq;
    r.message = entry.message;
    r.redelivered = entry.redelivered;
    r.deliveryCount = this.deliveryCount(entry);
    return r;
  }

  get readingBack(): boolean {
    return this.queue.readingBack;
  }

  whenReadBack(cb: () => void): void {
    this.queue.internals().paging.whenLanded(cb);
  }

  purge(): number {
    return this.queue.purge();
  }

  /** The queue is deleted: no delivery of it can be settled any more. */
  forget(): void {
    this.outstanding.clear();
  }

  private deliveryCount(entry: QueueEntry): number {
    return this.queue.args.deliveryLimit !== undefined ? entry.returnCount : 0;
  }
}
