import { performance } from 'node:perf_hooks';
import type { QueueRef } from '../core/queue/queue-ref.js';
import { REQUEUE_SLICE } from '../core/queue/requeue-backlog.js';
import { requeueInBulk } from './bulk-requeue.js';
import type { Channel } from './channel.js';
import type { Delivery, DeliveryCursor, DeliveryList } from './unacked-map.js';

export type Settle = 'ack' | 'reject' | 'requeue';

/**
 * Time for acks / rejects per turn of the event loop when one basic.ack or nack (multiple) settles
 * many. A time budget, not a count: an ack costs well under a microsecond, a dead-lettering reject
 * over 10 (a new message with x-death), and 20,000 rejects in one turn held other clients 2.5 s on
 * a loaded machine. Checked every SETTLE_CHECK_EVERY settles.
 */
const SETTLE_BUDGET_MS = 4;
const SETTLE_CHECK_EVERY = 256;

export function settleOne(kind: Settle, d: Delivery): void {
  if (d.consumer !== undefined) d.consumer.unacked--;
  // false: the queue was deleted meanwhile; the channel already knew the tag, so nothing to say.
  if (kind === 'ack') d.queue.ack(d.seq);
  else d.queue.reject(d.seq, kind === 'requeue');
}

/**
 * Settles deliveries the channel has already taken out of its unacked map, then runs done. What
 * fits in one slice happens at once. A larger settle runs a slice per turn (setImmediate, so other
 * sockets' I/O runs in between) with the connection's input held ('work'): whatever the client
 * sent after the basic.ack / nack (a basic.get, tx.commit, another settle) is handled only once
 * every delivery is settled, as if it had been done in one go. It carries on if the channel closes
 * meanwhile: the client did settle them. consumerQueues: whose deliveries a bulk requeue holds
 * back (default: the channel's consumers' queues).
 */
export function settleMany(channel: Channel, kind: Settle, deliveries: DeliveryList, consumerQueues?: readonly QueueRef[], done?: () => void): void {
  const port = channel.port;
  const finish = (): void => {
    channel.resumeDeliveries();
    done?.();
  };
  if (kind === 'requeue') {
    if (deliveries.length <= REQUEUE_SLICE) {
      // Descending order makes each requeue an O(1) insert at the head.
      const all = deliveries.toArray();
      for (let i = all.length - 1; i >= 0; i--) settleOne(kind, all[i] as Delivery);
      return finish();
    }
    port.holdInput('work');
    const queues = consumerQueues ?? [...channel.consumers.values()].map((c) => c.queue);
    return requeueInBulk(deliveries, queues, () => (port.releaseInput('work'), finish()));
  }
  // In order: dead-lettered messages reach their next queue in the order they were delivered.
  const cursor = deliveries.cursor();
  if (settleSlice(kind, cursor)) return finish();
  port.holdInput('work');
  const step = (): void => {
    try {
      if (!settleSlice(kind, cursor)) return void setImmediate(step);
    } catch (err) {
      port.releaseInput('work');
      return port.handleError(err, channel.id, undefined);
    }
    port.releaseInput('work');
    finish();
  };
  setImmediate(step);
}

/** Settles from the cursor until the end (true) or until the slice's time is up (false). */
function settleSlice(kind: Settle, cursor: DeliveryCursor): boolean {
  const start = performance.now();
  for (;;) {
    for (let n = 0; n < SETTLE_CHECK_EVERY; n++) {
      const d = cursor.next();
      if (d === undefined) return true;
      settleOne(kind, d);
    }
    if (performance.now() - start >= SETTLE_BUDGET_MS) return false;
  }
}
