import type { FieldTable } from '../../protocol/field-table.js';
import { Deque } from '../../util/deque.js';
import type { Message } from '../message.js';

/** One message's place in one queue. The message object itself is shared between queues. */
export interface QueueEntry {
  readonly message: Message;
  /** Enqueue order; requeued entries go back to their original position by it. */
  readonly seq: number;
  redelivered: boolean;
  deliveryCount: number;
}

/** The queue's view of a consumer; amqp/consumer implements it. */
export interface QueueConsumer {
  readonly tag: string;
  readonly exclusive: boolean;
  readonly noAck: boolean;
  /** The connection that owns the consumer's channel, for exclusivity checks. */
  readonly owner: object;
  /** Prefetch credit left and the socket accepting writes. */
  canDeliver(): boolean;
  deliver(queue: Queue, entry: QueueEntry): void;
  /** The queue went away under the consumer (deleted): tell the client. */
  cancelledByQueue(queue: Queue): void;
}

export interface QueueOptions {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  /** The connection an exclusive queue belongs to. */
  readonly owner: object | undefined;
}

export interface QueueEvents {
  /** The last consumer of an auto-delete queue went. */
  onUnused(queue: Queue): void;
}

/**
 * A classic queue: ready messages in enqueue order, consumers served round-robin under
 * prefetch credit. Delivery is batched: enqueues schedule one drain per event-loop turn.
 */
export class Queue {
  readonly name: string;
  readonly vhost: string;
  readonly options: QueueOptions;
  /** Epoch mark used by routing to dedup destinations without a Set per publish. */
  routeMark = 0;
  private readonly ready = new Deque<QueueEntry>();
  private readonly consumerList: QueueConsumer[] = [];
  private cursor = 0;
  private nextSeq = 0;
  private drainScheduled = false;
  private hadConsumer = false;
  private deleted = false;
  private readonly events: QueueEvents;

  constructor(vhost: string, name: string, options: QueueOptions, events: QueueEvents) {
    this.vhost = vhost;
    this.name = name;
    this.options = options;
    this.events = events;
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get consumerCount(): number {
    return this.consumerList.length;
  }

  get consumers(): readonly QueueConsumer[] {
    return this.consumerList;
  }

  get isDeleted(): boolean {
    return this.deleted;
  }

  get exclusiveOwner(): object | undefined {
    return this.options.exclusive ? this.options.owner : undefined;
  }

  enqueue(message: Message): void {
    if (this.deleted) return;
    this.ready.push({ message, seq: this.nextSeq++, redelivered: false, deliveryCount: 0 });
    if (this.consumerList.length > 0) this.scheduleDrain();
  }

  /**
   * Puts unacknowledged entries back where they were (by enqueue order, not at the tail), as
   * RabbitMQ does since 2.7, and marks them redelivered.
   */
  requeue(entry: QueueEntry): void {
    if (this.deleted) return;
    entry.redelivered = true;
    const head = this.ready.peek();
    if (head === undefined || entry.seq < head.seq) {
      this.ready.unshift(entry);
    } else {
      this.ready.insertAt(this.findInsertIndex(entry.seq), entry);
    }
    if (this.consumerList.length > 0) this.scheduleDrain();
  }

  /** basic.get: the head entry, or undefined. */
  get(): QueueEntry | undefined {
    return this.ready.shift();
  }

  purge(): number {
    const n = this.ready.length;
    this.ready.clear();
    return n;
  }

  addConsumer(consumer: QueueConsumer): void {
    this.consumerList.push(consumer);
    this.hadConsumer = true;
    this.scheduleDrain();
  }

  removeConsumer(consumer: QueueConsumer): void {
    const idx = this.consumerList.indexOf(consumer);
    if (idx < 0) return;
    this.consumerList.splice(idx, 1);
    if (this.cursor > idx) this.cursor--;
    if (this.consumerList.length === 0 && this.hadConsumer && this.options.autoDelete && !this.deleted) {
      this.events.onUnused(this);
    }
  }

  hasExclusiveConsumer(): boolean {
    return this.consumerList.some((c) => c.exclusive);
  }

  /** Marks the queue deleted, drops its messages and cancels its consumers; returns the message count. */
  markDeleted(): number {
    if (this.deleted) return 0;
    this.deleted = true;
    const n = this.ready.length;
    this.ready.clear();
    const consumers = this.consumerList.splice(0);
    for (const c of consumers) c.cancelledByQueue(this);
    return n;
  }

  /** Called when some consumer regained credit or its socket drained. */
  scheduleDrain(): void {
    if (this.drainScheduled || this.deleted) return;
    this.drainScheduled = true;
    queueMicrotask(this.drainTask);
  }

  private readonly drainTask = (): void => {
    this.drainScheduled = false;
    this.drain();
  };

  /** Hands ready messages to consumers round-robin until either runs out. */
  drain(): void {
    const consumers = this.consumerList;
    while (this.ready.length > 0 && consumers.length > 0) {
      const consumer = this.nextConsumerWithCredit();
      if (consumer === undefined) return;
      const entry = this.ready.shift() as QueueEntry;
      consumer.deliver(this, entry);
    }
  }

  private nextConsumerWithCredit(): QueueConsumer | undefined {
    const consumers = this.consumerList;
    const n = consumers.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.cursor + i) % n;
      const c = consumers[idx] as QueueConsumer;
      if (c.canDeliver()) {
        this.cursor = (idx + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private findInsertIndex(seq: number): number {
    let lo = 0;
    let hi = this.ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ready.at(mid) as QueueEntry).seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
