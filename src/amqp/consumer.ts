import type { Principal } from '../core/principal.js';
import type { Queue, QueueConsumer, QueueEntry } from '../core/queue/queue.js';
import type { FieldTable } from '../protocol/field-table.js';
import type { Channel } from './channel.js';
import { diagnostics, emitDeliver } from './diagnostics.js';

/** A basic.consume subscription: the queue's handle on one channel. */
export class Consumer implements QueueConsumer {
  readonly tag: string;
  readonly channel: Channel;
  readonly queue: Queue;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  readonly arguments: FieldTable;
  /** basic.qos global=false in force when the consumer was created; 0 = unlimited. */
  readonly prefetch: number;
  unacked = 0;

  constructor(channel: Channel, queue: Queue, tag: string, noAck: boolean, exclusive: boolean, prefetch: number, args: FieldTable) {
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

  deliver(queue: Queue, entry: QueueEntry): void {
    this.channel.deliver(this, queue, entry);
    queue.counters.delivered(entry, this.noAck);
    if (diagnostics.deliver.hasSubscribers) emitDeliver(this, queue, entry);
  }

  cancelledByQueue(): void {
    this.channel.consumerCancelledByServer(this);
  }
}
