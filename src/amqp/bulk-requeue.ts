import type { QueueRef } from '../core/queue/queue-ref.js';
import { REQUEUE_SLICE } from '../core/queue/requeue-backlog.js';
import type { DeliveryList } from './unacked-map.js';

/**
 * A huge requeue (a channel closing with a million unacked deliveries, basic.recover, a nack of
 * many): even sorting the deliveries out by queue took 0.2 s of one turn per million, so that too
 * runs REQUEUE_SLICE deliveries per turn. The consumers' queues deliver nothing until it is done
 * (holdDeliveries); then each queue gets its share in delivery-tag order and requeues it in slices
 * from the last tag down, exactly the calls of a one-go requeue, every message back at its
 * original position. (Queues reached only through basic.get are not held: a consumer there may
 * get a newer message while the older ones are on their way back.) gathered runs once every
 * queue has its share (its own slices may still be running: basic.get and purge finish them).
 */
export function requeueInBulk(deliveries: DeliveryList, consumerQueues: Iterable<QueueRef>, gathered?: () => void): void {
  const held = new Set(consumerQueues);
  for (const q of held) q.holdDeliveries();
  const byQueue = new Map<QueueRef, number[]>();
  const cursor = deliveries.cursor();
  const slice = (): void => {
    let queue: QueueRef | undefined;
    let share: number[] = [];
    for (let n = 0; n < REQUEUE_SLICE; n++) {
      const d = cursor.next();
      if (d === undefined) {
        for (const [q, seqs] of byQueue) q.requeueMany(seqs);
        for (const q of held) q.releaseDeliveries();
        gathered?.();
        return;
      }
      if (d.consumer !== undefined) d.consumer.unacked--;
      if (d.queue !== queue) {
        queue = d.queue;
        share = byQueue.get(queue) ?? [];
        byQueue.set(queue, share);
      }
      share.push(d.seq);
    }
    setImmediate(slice);
  };
  slice();
}
