import { Sample } from './counters.js';
import type { MessageStats } from './snapshot.js';

/**
 * RabbitMQ's churn_rates (GET /api/overview), counted where rabbit_core_metrics counts them:
 * connection_created at connection.open-ok, connection_closed for every accepted socket that goes
 * away (also one that never finished its handshake: RabbitMQ counts those too, so closed can run
 * ahead of created), channel_created/closed at channel.open and its end, queue_declared at every
 * non-passive queue.declare that passed the permission check, queue_created when that declare made
 * the queue, queue_deleted for every queue that goes (deleted, auto-deleted, expired, owner gone,
 * its vhost deleted).
 */
export const CHURN_STATS = [
  'connection_created',
  'connection_closed',
  'channel_created',
  'channel_closed',
  'queue_declared',
  'queue_created',
  'queue_deleted',
] as const;

export type ChurnStatName = (typeof CHURN_STATS)[number];
export type ChurnStats = MessageStats<ChurnStatName>;

/** The broker's churn counts but queue_deleted, which the vhosts keep with their deleted queues' counters. */
export class ChurnCounters {
  connection_created = 0;
  connection_closed = 0;
  channel_created = 0;
  channel_closed = 0;
  queue_declared = 0;
  queue_created = 0;
  readonly sample = new Sample(CHURN_STATS.length);
}
