import type { Message } from '../core/message.js';
import { connectionPrincipal, type Principal } from '../core/principal.js';
import type { QueueConsumer, QueueRef } from '../core/queue/queue-ref.js';
import type { Delivery } from './delivery-codec.js';

/** Where a proxy sends what it gets (cluster/remote-consume.ts batches it onto NATS). */
export interface ProxySink {
  deliver(node: string, d: Delivery, tooLarge: boolean): void;
  cancelled(node: string, id: string): void;
  /** Largest delivery the link can carry (the NATS max_payload, less the batch header). */
  readonly maxDelivery: number;
}

/**
 * On the owner node: a consumer of a local queue that stands for one consumer on another node. It
 * takes deliveries while the other node has granted credit; what it delivered and is not settled is
 * kept by seq, so that when that node goes away it is requeued to its place, as a closed channel's is.
 */
export class ConsumeProxy implements QueueConsumer {
  readonly owner: Principal;
  credit: number;
  /** Delivered to the other node, not settled yet (no-ack deliveries are settled at once). */
  readonly outstanding = new Set<number>();
  /** Consuming (not cancelled by the other node, nor ended). */
  active = true;

  constructor(
    readonly id: string,
    readonly node: string,
    readonly ref: QueueRef,
    readonly tag: string,
    readonly exclusive: boolean,
    readonly noAck: boolean,
    credit: number,
    private readonly sink: ProxySink,
  ) {
    this.credit = credit;
    this.owner = connectionPrincipal('', ref.vhost, `cluster:${node}`);
  }

  canDeliver(): boolean {
    return this.active && this.credit > 0;
  }

  deliver(_queue: QueueRef, seq: number, message: Message, redelivered: boolean, deliveryCount: number): void {
    this.credit--;
    if (!this.noAck) this.outstanding.add(seq);
    const d: Delivery = { id: this.id, seq, redelivered, deliveryCount, exchange: message.exchange, routingKey: message.routingKey, properties: message.rawProperties, body: message.body };
    const tooLarge = message.body.length + message.rawProperties.length + 1024 > this.sink.maxDelivery;
    if (tooLarge && !this.noAck) {
      // It cannot cross the link: dead-lettered (or dropped) as rejected, not requeued to come back forever.
      this.outstanding.delete(seq);
      queueMicrotask(() => this.ref.reject(seq, false));
    }
    this.sink.deliver(this.node, d, tooLarge);
  }

  cancelledByQueue(): void {
    this.sink.cancelled(this.node, this.id);
  }

  settle(op: 'ack' | 'reject' | 'requeue', seq: number): void {
    if (!this.outstanding.delete(seq)) return;
    if (op === 'ack') this.ref.ack(seq);
    else this.ref.reject(seq, op === 'requeue');
  }

  /** The other node cancelled, or went away: nothing more is delivered; with `requeue`, what it held goes back. */
  end(requeue: boolean): void {
    if (this.active) this.ref.cancel(this);
    this.active = false;
    if (requeue && this.outstanding.size > 0) {
      this.ref.requeueMany([...this.outstanding].sort((a, b) => a - b));
      this.outstanding.clear();
    }
  }
}
