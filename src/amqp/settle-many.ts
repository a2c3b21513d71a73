import type { Queue } from '../core/queue/queue.js';
import { REQUEUE_SLICE } from '../core/queue/requeue-backlog.js';
import { requeueInBulk } from './bulk-requeue.js';
import type { Channel } from './channel.js';
import type { Delivery, DeliveryList } from './unacked-map.js';

export type Settle = 'ack' | 'reject' | 'requeue';

/**
 * Acks / rejects per turn of the event loop when one basic.ack or nack (multiple) settles many:
 * a million in one go held every other client for about a second; 20,000 are a few ms.
 */
export const SETTLE_SLICE = 20_000;

export function settleOne(kind: Settle, d: Delivery): void {
  if (d.consumer !== undefined) d.consumer.unacked--;
  if (kind === 'requeue') d.queue.requeue(d.entry);
  else if (kind === 'reject') d.queue.reject(d.entry);
  else d.queue.settle(d.entry);
}

/**
 * Settles deliveries the channel has already taken out of its unacked map, then runs done. Up to
 * a slice this happens at once. A larger settle runs a slice per turn (setImmediate, so other
 * sockets' I/O runs in between) with the connection's input held ('work'): whatever the client
 * sent after the basic.ack / nack (a basic.get, tx.commit, another settle) is handled only once
 * every delivery is settled, as if it had been done in one go. It carries on if the channel closes
 * meanwhile: the client did settle them. consumerQueues: whose deliveries a bulk requeue holds
 * back (default: the channel's consumers' queues).
 */
export function settleMany(channel: Channel, kind: Settle, deliveries: DeliveryList, consumerQueues?: readonly Queue[], done?: () => void): void {
  if (deliveries.length <= (kind === 'requeue' ? REQUEUE_SLICE : SETTLE_SLICE)) {
    const all = deliveries.toArray();
    // Requeue in descending order makes each requeue an O(1) insert at the head. Others in order:
    // dead-lettered messages reach their next queue in the order they were delivered.
    if (kind === 'requeue') for (let i = all.length - 1; i >= 0; i--) settleOne(kind, all[i] as Delivery);
    else for (const d of all) settleOne(kind, d);
    channel.resumeDeliveries();
    done?.();
    return;
  }
  const conn = channel.connection;
  conn.holdInput('work');
  const finish = (): void => {
    conn.releaseInput('work');
    channel.resumeDeliveries();
    done?.();
  };
  if (kind === 'requeue') {
    requeueInBulk(deliveries, consumerQueues ?? [...channel.consumers.values()].map((c) => c.queue), finish);
    return;
  }
  const cursor = deliveries.cursor();
  const slice = (): void => {
    try {
      for (let n = 0; n < SETTLE_SLICE; n++) {
        const d = cursor.next();
        if (d === undefined) return finish();
        settleOne(kind, d);
      }
    } catch (err) {
      conn.releaseInput('work');
      conn.handleError(err, channel.id, undefined);
      return;
    }
    setImmediate(slice);
  };
  slice();
}
