import type { BasicProperties } from '../protocol/content-header.js';
import { plainTable } from '../core/plain-values.js';
import type { Message } from '../core/message.js';
import type { Json } from './list-query.js';

export type PayloadEncoding = 'auto' | 'base64';

/** RabbitMQ's property names in a get reply (rabbit_mgmt_format), in P_basic's order. */
const NAMES: readonly (readonly [keyof BasicProperties, string])[] = [
  ['contentType', 'content_type'],
  ['contentEncoding', 'content_encoding'],
  ['headers', 'headers'],
  ['deliveryMode', 'delivery_mode'],
  ['priority', 'priority'],
  ['correlationId', 'correlation_id'],
  ['replyTo', 'reply_to'],
  ['expiration', 'expiration'],
  ['messageId', 'message_id'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['userId', 'user_id'],
  ['appId', 'app_id'],
  ['clusterId', 'cluster_id'],
];

/** The properties a message carries, as RabbitMQ's POST .../get shows them: only those set, headers as plain JSON. */
export function propertiesJson(props: BasicProperties): Json {
  const out: Json = {};
  for (const [key, name] of NAMES) {
    const v = props[key];
    if (v === undefined) continue;
    out[name] = key === 'headers' ? plainTable(v as NonNullable<BasicProperties['headers']>) : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

/**
 * A message as RabbitMQ's POST /api/queues/{vhost}/{name}/get answers it: payload cut to `truncate`
 * bytes when given; with 'auto' a string when the (cut) bytes are valid UTF-8, else base64.
 */
export function messageJson(message: Message, redelivered: boolean, messageCount: number, encoding: PayloadEncoding, truncate: number | undefined): Json {
  const body = truncate !== undefined && message.body.length > truncate ? message.body.subarray(0, truncate) : message.body;
  const asString = encoding === 'auto' && isUtf8(body);
  return {
    payload_bytes: message.bodySize,
    redelivered,
    exchange: message.exchange,
    routing_key: message.routingKey,
    message_count: messageCount,
    properties: propertiesJson(message.properties),
    payload: asString ? body.toString('utf8') : body.toString('base64'),
    payload_encoding: asString ? 'string' : 'base64',
  };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
