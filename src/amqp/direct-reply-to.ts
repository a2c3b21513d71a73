import { randomBytes } from 'node:crypto';
import { amqpError } from '../errors/index.js';
import { parseQueueArgs } from '../core/queue/arguments.js';
import { Queue } from '../core/queue/queue.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Message } from '../core/message.js';
import { PropertyFlag } from '../protocol/content-header.js';
import { replaceProperty } from '../protocol/content-header-validator.js';
import { wireBytes } from '../util/wire-string.js';

/** RabbitMQ's direct reply-to pseudo-queue (its "Direct Reply-to" guide). */
export const REPLY_TO = 'amq.rabbitmq.reply-to';
export const REPLY_TO_PREFIX = `${REPLY_TO}.`;

const NO_ARGS = parseQueueArgs(Object.create(null) as Record<string, never>, REPLY_TO, '/');

/**
 * A consumer on `amq.rabbitmq.reply-to` gets a private, unlisted queue named
 * `amq.rabbitmq.reply-to.<token>`; requests published on the same channel with reply_to set
 * to the pseudo-queue name have it rewritten to that name, and replies sent to it through the
 * default exchange reach the consumer directly.
 */
export function createReplyQueue(vhost: VirtualHost, owner: object): Queue {
  const name = `${REPLY_TO_PREFIX}${randomBytes(18).toString('base64url')}`;
  const queue = new Queue(
    vhost.name,
    name,
    { durable: false, exclusive: true, autoDelete: true, arguments: Object.create(null), args: NO_ARGS, owner },
    { onUnused: () => undefined, deadLetter: () => undefined, clock: vhost.clock },
  );
  vhost.replyQueues.set(name, queue);
  return queue;
}

export function dropReplyQueue(vhost: VirtualHost, queue: Queue): void {
  if (vhost.replyQueues.get(queue.name) === queue) vhost.replyQueues.delete(queue.name);
  queue.markDeleted();
}

export function assertReplyConsumerNoAck(noAck: boolean): void {
  if (!noAck) throw amqpError('WARREN_PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
}

/** Rewrites reply_to = amq.rabbitmq.reply-to to the channel's own reply queue; the other properties' bytes are kept. */
export function rewriteReplyTo(message: Message, replyQueue: Queue | undefined): void {
  if (replyQueue === undefined) throw amqpError('WARREN_PRECONDITION_FAILED', 'fast reply consumer does not exist');
  const name = wireBytes(replyQueue.name);
  const shortstr = Buffer.concat([Buffer.from([name.length]), name]);
  message.replaceProperties(replaceProperty(message.rawProperties, PropertyFlag.replyTo, shortstr));
}
