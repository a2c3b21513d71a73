import type { ReplyName } from './reply-codes.js';

export type ErrorScope = 'channel' | 'connection';

export interface ErrorDefinition {
  readonly reply: ReplyName;
  readonly scope: ErrorScope;
  /** One line for docs/errors.md: when a client sees this. */
  readonly description: string;
}

/**
 * Every error a peer can cause, by stable code. docs/errors.md is generated from this table
 * (`npm run gen:docs`) and a test fails when the two disagree.
 */
export const ERROR_CODES = {
  // connection level: framing and handshake
  WARREN_FRAME_ERROR: { reply: 'FRAME_ERROR', scope: 'connection', description: 'A frame is malformed: bad end octet, unknown frame type, or larger than the negotiated frame_max.' },
  WARREN_SYNTAX_ERROR: { reply: 'SYNTAX_ERROR', scope: 'connection', description: 'A method or content header payload could not be decoded.' },
  WARREN_COMMAND_INVALID: { reply: 'COMMAND_INVALID', scope: 'connection', description: 'A method that is not valid here: unknown class or method, or a server-only method.' },
  WARREN_UNEXPECTED_FRAME: { reply: 'UNEXPECTED_FRAME', scope: 'connection', description: 'A frame arrived out of order: content without a publish, a method in the middle of content, a content frame on channel 0.' },
  WARREN_CHANNEL_ERROR: { reply: 'CHANNEL_ERROR', scope: 'connection', description: 'A method on a channel that is not open, a channel opened twice, or a channel number above channel_max.' },
  WARREN_ACCESS_REFUSED_LOGIN: { reply: 'ACCESS_REFUSED', scope: 'connection', description: 'Authentication failed: unknown user, wrong password, or a loopback-only user connecting from elsewhere.' },
  WARREN_SASL_MECHANISM_REFUSED: { reply: 'COMMAND_INVALID', scope: 'connection', description: "connection.start-ok named a SASL mechanism the broker does not offer on this connection (RabbitMQ's \"unknown/invalid authentication mechanism\")." },
  WARREN_VHOST_NOT_ALLOWED: { reply: 'NOT_ALLOWED', scope: 'connection', description: 'connection.open named a virtual host that does not exist or the user may not use.' },
  WARREN_CONNECTION_LIMIT: { reply: 'NOT_ALLOWED', scope: 'connection', description: 'connection.open while the broker already serves max-connections connections (RabbitMQ\'s node connection limit).' },
  WARREN_CONNECTION_FORCED: { reply: 'CONNECTION_FORCED', scope: 'connection', description: 'The broker is shutting down or an operator closed the connection.' },
  WARREN_HEARTBEAT_TIMEOUT: { reply: 'CONNECTION_FORCED', scope: 'connection', description: 'No traffic from the peer for two heartbeat intervals; the socket is closed.' },
  WARREN_HANDSHAKE_TIMEOUT: { reply: 'CONNECTION_FORCED', scope: 'connection', description: 'The handshake did not finish within the configured time; the socket is closed.' },
  WARREN_TUNE_INVALID: { reply: 'NOT_ALLOWED', scope: 'connection', description: 'connection.tune-ok asked for a frame_max below 4096 or above the server limit, or a channel_max above the server limit.' },
  WARREN_NOT_IMPLEMENTED: { reply: 'NOT_IMPLEMENTED', scope: 'connection', description: 'A method or flag Warren, like RabbitMQ, does not implement: basic.publish immediate=true, channel.flow active=false, basic.recover requeue=false, basic.qos prefetch_size > 0.' },
  WARREN_INTERNAL_ERROR: { reply: 'INTERNAL_ERROR', scope: 'connection', description: 'A bug in Warren; the log has the stack.' },
  WARREN_VHOST_CONNECTION_LIMIT: { reply: 'NOT_ALLOWED', scope: 'connection', description: "connection.open over the vhost's or the user's max-connections limit." },
  WARREN_USER_CHANNEL_LIMIT: { reply: 'NOT_ALLOWED', scope: 'connection', description: "channel.open over the user's max-channels limit (counted over all the user's connections)." },
  // channel level
  WARREN_EXCHANGE_TYPE_UNKNOWN: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'exchange.declare named an exchange type Warren does not know (RabbitMQ 3.13 and 4.x; 3.10 closed the connection with 503).' },
  WARREN_QUEUE_LIMIT: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: "queue.declare of a new queue in a vhost at its max-queues limit." },
  WARREN_PRECONDITION_FAILED: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'A precondition failed: redeclare with other flags or arguments, an invalid argument, if-unused/if-empty not met.' },
  WARREN_ARGUMENT_INVALID: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'A queue, exchange, binding or consumer argument has the wrong type or is out of range.' },
  WARREN_INEQUIVALENT_ARG: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'A redeclare named an existing exchange or queue with different flags or arguments.' },
  WARREN_UNKNOWN_DELIVERY_TAG: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'basic.ack, nack or reject named a delivery tag that is unknown or already settled.' },
  WARREN_MESSAGE_TOO_LARGE: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'A published message body is larger than max_message_size.' },
  WARREN_TX_CONFIRM_CONFLICT: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'tx.select on a channel in confirm mode, or confirm.select on a transactional channel.' },
  WARREN_TX_NOT_SELECTED: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'tx.commit or tx.rollback on a channel that did not send tx.select.' },
  WARREN_CONSUMER_TIMEOUT: { reply: 'PRECONDITION_FAILED', scope: 'channel', description: 'A consumer held an unacknowledged delivery longer than consumer_timeout.' },
  WARREN_RESOURCE_ERROR: { reply: 'RESOURCE_ERROR', scope: 'channel', description: 'A durable queue or delayed exchange could not get its message directory on disk (a full disk, no inodes left); nothing was declared.' },
  WARREN_QUEUE_REMOTE: { reply: 'NOT_FOUND', scope: 'channel', description: 'basic.get or queue.purge on a queue that lives on another cluster node, or on a quorum queue on JetStream (not supported there yet; basic.consume is).' },
  WARREN_QUORUM_STORE: { reply: 'RESOURCE_ERROR', scope: 'channel', description: "A quorum queue's JetStream stream or consumer could not be created (no JetStream answer, too few servers); the queue is declared, consumers and publishes retry." },
  WARREN_NOT_FOUND: { reply: 'NOT_FOUND', scope: 'channel', description: 'A named exchange, queue or consumer does not exist.' },
  WARREN_ACCESS_REFUSED: { reply: 'ACCESS_REFUSED', scope: 'channel', description: 'The operation is forbidden: a reserved amq. name, or a change to the default exchange.' },
  WARREN_RESOURCE_LOCKED: { reply: 'RESOURCE_LOCKED', scope: 'channel', description: 'The queue is exclusive to another connection, or a redeclare disagrees with it on the exclusive flag.' },
  WARREN_CONSUMER_TAG_REUSED: { reply: 'NOT_ALLOWED', scope: 'connection', description: 'basic.consume named a consumer tag already in use on the channel.' },
  WARREN_PERMISSION_REFUSED: { reply: 'ACCESS_REFUSED', scope: 'channel', description: 'The user lacks the configure, write or read permission (or the topic permission) the operation needs on the resource.' },
  WARREN_PUBLISH_INTERNAL: { reply: 'ACCESS_REFUSED', scope: 'channel', description: 'basic.publish to an internal exchange.' },
  WARREN_EXCLUSIVE_CONSUMER: { reply: 'ACCESS_REFUSED', scope: 'channel', description: 'basic.consume on a queue with an exclusive consumer, or an exclusive consume on a queue that has consumers.' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CODES;
