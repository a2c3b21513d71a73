import type { Message } from '../core/message.js';
import type { Principal } from '../core/principal.js';
import type { QueueConsumer, QueueRef } from '../core/queue/queue-ref.js';
import type { FieldTable } from '../protocol/field-table.js';
import type { Channel } from './channel.js';
import { diagnostics, emitDeliver } from './diagnostics.js';

/** A basic.consume subscription: the queue's handle on one channel. */
export class Consumer implements QueueConsumer {
  readonly tag: string;
  readonly channel: Channel;
  readonly queue: QueueRef;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  readonly arguments: FieldTable;
  /** basic.qos global=false in force when the consumer was created; 0 = unlimited. */
  readonly prefetch: number;
  unacked = 0;

  constructor(channel: Channel, queue: QueueRef, tag: string, noAck: boolean, exclusive: boolean, prefetch: number, args: FieldTable) {
    this.channel = channel;
    this.queue = queue;
    this.tag = tag;
    this.noAck = noAck;
    this.exclusive = exclusive;
    this.prefetch = prefetch;
    this.arguments = args;
  }

  get owner(): Principal {
    return this.channel.port.principal;
  }

  canDeliver(): boolean {
    if (!this.channel.canDeliver()) return false;
    return this.noAck || this.prefetch === 0 || this.unacked < this.prefetch;
  }

  room(): number {
    if (this.noAck) return Infinity;
    return Math.min(this.prefetch === 0 ? Infinity : this.prefetch - this.unacked, this.channel.prefetchRoom());
  }

  deliver(queue: QueueRef, seq: number, message: Message, redelivered: boolean, deliveryCount: number): void {
    this.channel.deliver(this, queue, seq, message, redelivered, deliveryCount);
    this.channel.publisher.counters.delivered(this.noAck, redelivered);
    if (diagnostics.deliver.hasSubscribers) emitDeliver(this, queue, message, redelivered);
  }

  cancelledByQueue(): void {
    this.channel.consumerCancelledByServer(this);
  }
}
