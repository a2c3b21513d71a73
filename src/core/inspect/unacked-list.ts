import type { Queue } from '../queue/queue.js';
import type { Registry } from '../registry.js';
import type { ChannelRef } from '../snapshots.js';

/** Default and largest page of unacknowledged deliveries. */
export const DEFAULT_UNACKED_LIMIT = 100;
export const MAX_UNACKED_LIMIT = 10_000;

/** One delivery of a queue awaiting ack, and who holds it. */
export interface UnackedDelivery {
  readonly deliveryTag: number;
  /** undefined for a basic.get delivery. */
  readonly consumerTag: string | undefined;
  readonly channel: ChannelRef;
  /** When it was delivered (the broker's coarse clock, ms since the epoch). */
  readonly deliveredAt: number;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
  readonly payloadBytes: number;
}

export interface UnackedListOptions {
  /** Deliveries to pass over first (default 0). */
  readonly offset?: number;
  /** At most this many (default DEFAULT_UNACKED_LIMIT, capped to MAX_UNACKED_LIMIT). */
  readonly limit?: number;
}

/**
 * A queue's unacknowledged deliveries, connection by connection (in the order they connected), channel
 * by channel, in delivery-tag order. Read from the channels' unacked maps on demand: nothing is kept
 * for it on the delivery path. The walk stops after offset + limit deliveries of this queue; channels
 * whose every delivery went to consumers of other queues are passed over without a look.
 */
export function listUnacked(registry: Registry, queue: Queue, options: UnackedListOptions = {}): UnackedDelivery[] {
  let skip = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = Math.min(MAX_UNACKED_LIMIT, Math.max(0, Math.floor(options.limit ?? DEFAULT_UNACKED_LIMIT)));
  const out: UnackedDelivery[] = [];
  if (limit === 0) return out;
  const ref = queue.ref;
  for (const conn of registry.connections()) {
    const more = conn.unackedOf(ref, (channel, tag, seq, consumerTag, at) => {
      if (skip > 0) {
        skip--;
        return true;
      }
      const entry = ref.outstandingEntry(seq);
      const m = entry?.message;
      out.push({
        deliveryTag: tag,
        consumerTag,
        channel,
        deliveredAt: at,
        redelivered: entry?.redelivered ?? false,
        exchange: m?.exchange ?? '',
        routingKey: m?.routingKey ?? '',
        payloadBytes: m?.bodySize ?? 0,
      });
      return out.length < limit;
    });
    if (!more) break;
  }
  return out;
}
