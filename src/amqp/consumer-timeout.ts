import type { Timer } from '../core/clock.js';
import type { QueueRef } from '../core/queue/queue-ref.js';
import type { ChannelPort } from './channel-port.js';
import type { Delivery, UnackedMap } from './unacked-map.js';

/**
 * RabbitMQ's consumer timeout (delivery acknowledgement timeout) for one channel, on the broker's
 * clock: the oldest unacknowledged delivery decides, as in rabbit_channel's
 * evaluate_consumer_timeout, and it has timed out once `now - deliveredAt > timeout` (its queue's
 * x-consumer-timeout, else the broker's consumerTimeout; 0 is off).
 *
 * One clock timer per channel, armed lazily: a delivery arms it only when it is not armed (one
 * comparison on the hot path), at the then-oldest delivery's deadline. When it fires it looks at
 * the oldest delivery now: timed out, or re-armed at that one's deadline, or left unarmed when
 * nothing is unacknowledged (the next delivery arms it). So an ack costs nothing here.
 *
 * One gap, kept for the hot path: while the oldest delivery has no timeout (its queue says
 * x-consumer-timeout 0) the timer stays unarmed, and a younger delivery that has one is looked at
 * again only at the channel's next delivery.
 */
export class ConsumerTimeout {
  private readonly timer: Timer;
  private readonly port: Pick<ChannelPort, 'now' | 'limits'>;
  private readonly unacked: UnackedMap;
  private readonly expired: (timeout: number) => void;

  constructor(port: Pick<ChannelPort, 'now' | 'limits' | 'timer'>, unacked: UnackedMap, expired: (timeout: number) => void) {
    this.port = port;
    this.unacked = unacked;
    this.expired = expired;
    this.timer = port.timer(this.fire);
  }

  /** A delivery from `queue` was added to the unacked map. */
  delivered(queue: QueueRef): void {
    if (this.timer.armedAt !== Infinity) return;
    if ((queue.consumerTimeout ?? this.port.limits.consumerTimeout) === 0) return;
    this.arm();
  }

  /** Deliveries came back into the unacked map (a rolled-back transaction's acks). */
  restored(): void {
    if (this.timer.armedAt === Infinity) this.arm();
  }

  /**
   * Times out now, as if the deadline had passed (the test kit's expireConsumerTimeouts): false when
   * nothing unacknowledged is from a queue with a timeout.
   */
  expireNow(): boolean {
    const queues = new Map<QueueRef, number>();
    this.unacked.countByQueue(queues);
    for (const queue of queues.keys()) {
      const timeout = queue.consumerTimeout ?? this.port.limits.consumerTimeout;
      if (timeout === 0) continue;
      this.expired(timeout);
      return true;
    }
    return false;
  }

  /** The channel closed. */
  cancel(): void {
    this.timer.cancel();
  }

  private timeoutOf(d: Delivery): number {
    return d.queue.consumerTimeout ?? this.port.limits.consumerTimeout;
  }

  private arm(): void {
    const oldest = this.unacked.oldest();
    if (oldest === undefined) return;
    const timeout = this.timeoutOf(oldest);
    // +1: at exactly deliveredAt + timeout it has not timed out yet (RabbitMQ: Time < Now - Timeout).
    if (timeout !== 0) this.timer.arm(oldest.at + timeout + 1);
  }

  private readonly fire = (): void => {
    const oldest = this.unacked.oldest();
    if (oldest === undefined) return;
    const timeout = this.timeoutOf(oldest);
    if (timeout !== 0 && this.port.now() - oldest.at > timeout) this.expired(timeout);
    else this.arm();
  };
}
