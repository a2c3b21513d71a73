import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Principal } from '../principal.js';
import { parseQueueArgs } from './arguments.js';
import { Queue } from './queue.js';

/** RabbitMQ's direct reply-to pseudo-queue (its "Direct Reply-to" guide). */
export const REPLY_TO = 'amq.rabbitmq.reply-to';
export const REPLY_TO_PREFIX = `${REPLY_TO}.`;

const NO_ARGS = parseQueueArgs(Object.create(null) as Record<string, never>, REPLY_TO, '/');

/**
 * The private queue behind one consumer on `amq.rabbitmq.reply-to`: `amq.rabbitmq.reply-to.<token>`,
 * exclusive to its connection, never listed, never dead-lettering. Only the vhost builds one
 * (VirtualHost.createReplyQueue), so that it knows every queue it can route to.
 */
export function newReplyQueue(vhost: string, owner: Principal, clock: Clock): Queue {
  const name = `${REPLY_TO_PREFIX}${randomBytes(18).toString('base64url')}`;
  return new Queue(
    vhost,
    name,
    { durable: false, exclusive: true, autoDelete: true, arguments: Object.create(null), args: NO_ARGS, owner },
    { onUnused: () => undefined, deadLetter: () => undefined, clock },
  );
}
