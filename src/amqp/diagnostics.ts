import { channel } from 'node:diagnostics_channel';
import type { AmqpError } from '../errors/index.js';
import type { Message } from '../core/message.js';
import type { BasicProperties } from '../protocol/content-header.js';
import type { QueueRef } from '../core/queue/queue-ref.js';
import type { Channel } from './channel.js';
import type { Connection } from './connection.js';
import type { Consumer } from './consumer.js';

/*
 * node:diagnostics_channel events (README, "Diagnostics channels"). Named channels are process-wide by
 * Node's design, so a payload names its broker-local connection id and vhost. Every emit site checks
 * `hasSubscribers` first: with nobody listening, an event costs one property read and builds nothing.
 */

/** The channel names, for `diagnostics_channel.subscribe(name, listener)`. */
export const DIAGNOSTICS_CHANNELS = {
  publish: 'warren:publish',
  deliver: 'warren:deliver',
  ack: 'warren:ack',
  connectionOpen: 'warren:connection:open',
  connectionClose: 'warren:connection:close',
  channelError: 'warren:channel:error',
} as const;

export const diagnostics = {
  publish: channel(DIAGNOSTICS_CHANNELS.publish),
  deliver: channel(DIAGNOSTICS_CHANNELS.deliver),
  ack: channel(DIAGNOSTICS_CHANNELS.ack),
  connectionOpen: channel(DIAGNOSTICS_CHANNELS.connectionOpen),
  connectionClose: channel(DIAGNOSTICS_CHANNELS.connectionClose),
  channelError: channel(DIAGNOSTICS_CHANNELS.channelError),
} as const;

export interface PublishEvent {
  readonly connectionId: number;
  /** The read model's node-qualified connection id: which broker of the process (ids repeat across brokers). */
  readonly connection: string;
  readonly channel: number;
  readonly vhost: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly mandatory: boolean;
  readonly bodySize: number;
  /** How many queues the message was enqueued on. */
  readonly queues: number;
  /** False: nothing took it (returned if mandatory, else dropped). Held by a delayed exchange counts as routed. */
  readonly routed: boolean;
  /** The message's body, a view of what the broker holds: copy it to keep it past the listener. */
  readonly body: Buffer;
  /** Its properties, decoded when read. */
  readonly properties: BasicProperties;
}

export interface DeliverEvent {
  readonly connectionId: number;
  /** The read model's node-qualified connection id. */
  readonly connection: string;
  readonly channel: number;
  readonly vhost: string;
  readonly queue: string;
  readonly consumerTag: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly redelivered: boolean;
  readonly noAck: boolean;
  readonly bodySize: number;
  /** The message's body, a view of what the broker holds: copy it to keep it past the listener. */
  readonly body: Buffer;
  /** Its properties, decoded when read. */
  readonly properties: BasicProperties;
}

export interface AckEvent {
  readonly connectionId: number;
  readonly channel: number;
  readonly vhost: string;
  readonly deliveryTag: number;
  readonly multiple: boolean;
}

export interface ConnectionEvent {
  readonly connectionId: number;
  /** The peer, host:port. */
  readonly connection: string;
  readonly connectionName: string | undefined;
  readonly user: string | undefined;
  readonly vhost: string | undefined;
}

export interface ChannelErrorEvent {
  readonly connectionId: number;
  readonly channel: number;
  readonly vhost: string | undefined;
  readonly code: string;
  readonly replyCode: number;
  readonly replyText: string;
  readonly classId: number;
  readonly methodId: number;
}

export function emitPublish(ch: Channel, message: Message, mandatory: boolean, queues: number, routed: boolean): void {
  const event: PublishEvent = {
    connectionId: ch.port.connectionId,
    connection: ch.port.principal.connectionId,
    channel: ch.id,
    vhost: ch.vhost.name,
    exchange: message.exchange,
    routingKey: message.routingKey,
    mandatory,
    bodySize: message.bodySize,
    queues,
    routed,
    body: message.body,
    get properties() {
      return message.properties;
    },
  };
  diagnostics.publish.publish(event);
}

export function emitDeliver(consumer: Consumer, queue: QueueRef, m: Message, redelivered: boolean): void {
  const ch = consumer.channel;
  const event: DeliverEvent = {
    connectionId: ch.port.connectionId,
    connection: ch.port.principal.connectionId,
    channel: ch.id,
    vhost: ch.vhost.name,
    queue: queue.name,
    consumerTag: consumer.tag,
    exchange: m.exchange,
    routingKey: m.routingKey,
    redelivered,
    noAck: consumer.noAck,
    bodySize: m.bodySize,
    body: m.body,
    get properties() {
      return m.properties;
    },
  };
  diagnostics.deliver.publish(event);
}

export function emitAck(ch: Channel, deliveryTag: number, multiple: boolean): void {
  const event: AckEvent = { connectionId: ch.port.connectionId, channel: ch.id, vhost: ch.vhost.name, deliveryTag, multiple };
  diagnostics.ack.publish(event);
}

export function connectionEvent(conn: Connection): ConnectionEvent {
  return { connectionId: conn.id, ...conn.logFields() };
}

export function emitChannelError(conn: Connection, channel: number, error: AmqpError): void {
  const event: ChannelErrorEvent = {
    connectionId: conn.id,
    channel,
    vhost: conn.vhost?.name,
    code: error.code,
    replyCode: error.replyCode,
    replyText: error.replyText,
    classId: error.classId,
    methodId: error.methodId,
  };
  diagnostics.channelError.publish(event);
}
