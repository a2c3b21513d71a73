import type { Queue, QueueEntry } from '../core/queue/queue.js';
import { REQUEUE_SLICE } from '../core/queue/requeue-backlog.js';
import type { Delivery } from './unacked-map.js';

/**
 * A huge requeue (a channel closing with a million unacked deliveries, basic.recover, a nack of
 * many): even sorting the deliveries out by queue took 0.2 s of one turn per million, so that too
 * runs REQUEUE_SLICE deliveries per turn. The consumers' queues deliver nothing until it is done
 * (holdDeliveries); then each queue gets its share in delivery-tag order and requeues it in slices
 * from the last tag down, exactly the calls of a one-go requeue, every message back at its
 * original position. (Queues reached only through basic.get are not held: a consumer there may
 * get a newer message while the older ones are on their way back.)
 */
export function requeueInBulk(deliveries: readonly Delivery[], consumerQueues: Iterable<Queue>): void {
  const held = new Set(consumerQueues);
  for (const q of held) q.holdDeliveries();
  const byQueue = new Map<Queue, QueueEntry[]>();
  let next = 0;
  const slice = (): void => {
    const end = Math.min(deliveries.length, next + REQUEUE_SLICE);
    let queue: Queue | undefined;
    let share: QueueEntry[] = [];
    for (; next < end; next++) {
      const d = deliveries[next] as Delivery;
      if (d.consumer !== undefined) d.consumer.unacked--;
      if (d.queue !== queue) {
        queue = d.queue;
        share = byQueue.get(queue) ?? [];
        byQueue.set(queue, share);
      }
      share.push(d.entry);
    }
    if (next < deliveries.length) {
      setImmediate(slice);
      return;
    }
    for (const [q, entries] of byQueue) q.requeueMany(entries);
    for (const q of held) q.releaseDeliveries();
  };
  slice();
}
