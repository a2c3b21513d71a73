import { amqpError } from '../errors/index.js';
import type { QueueRef } from '../core/queue/queue-ref.js';
import type { Message } from '../core/message.js';
import { PropertyFlag } from '../protocol/content-header.js';
import { replaceProperty } from '../protocol/content-header-validator.js';
import { wireBytes } from '../util/wire-string.js';

export { REPLY_TO, REPLY_TO_PREFIX } from '../core/queue/reply-queue.js';

export function assertReplyConsumerNoAck(noAck: boolean): void {
  if (!noAck) throw amqpError('WARREN_PRECONDITION_FAILED', 'reply consumer cannot acknowledge');
}

/** Rewrites reply_to = amq.rabbitmq.reply-to to the channel's own reply queue; the other properties' bytes are kept. */
export function rewriteReplyTo(message: Message, replyQueue: QueueRef | undefined): void {
  if (replyQueue === undefined) throw amqpError('WARREN_PRECONDITION_FAILED', 'fast reply consumer does not exist');
  const name = wireBytes(replyQueue.name);
  const shortstr = Buffer.concat([Buffer.from([name.length]), name]);
  message.replaceProperties(replaceProperty(message.rawProperties, PropertyFlag.replyTo, shortstr));
}
