import type { BasicProperties } from '../protocol/content-header.js';
import type { FieldTable, FieldValue } from '../protocol/field-table.js';
import type { Message } from '../core/message.js';
import type { Json } from './list-query.js';
import type { GotMessage } from './topology-ops.js';

/*
 * A message a get took, as RabbitMQ 3.10's rabbit_mgmt_wm_queue_get shows it: its properties as
 * rabbit_mgmt_format:basic_properties prints them (the set ones, last P_basic field first; an empty
 * list, not an object, when none is set), header values as rabbit_misc:amqp_table renders them, and
 * the payload as a string when it is UTF-8 (encoding auto) or else in base64.
 */

/** P_basic's fields, in reverse: the order RabbitMQ's record/2 fold leaves them in. */
const FIELDS: ReadonlyArray<[keyof BasicProperties, string]> = [
  ['clusterId', 'cluster_id'],
  ['appId', 'app_id'],
  ['userId', 'user_id'],
  ['type', 'type'],
  ['timestamp', 'timestamp'],
  ['messageId', 'message_id'],
  ['expiration', 'expiration'],
  ['replyTo', 'reply_to'],
  ['correlationId', 'correlation_id'],
  ['priority', 'priority'],
  ['deliveryMode', 'delivery_mode'],
  ['headers', 'headers'],
  ['contentEncoding', 'content_encoding'],
  ['contentType', 'content_type'],
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** rabbit_misc:utf8_safe: bytes that are not UTF-8 are shown in base64, in MIME's 76-character lines. */
function utf8Safe(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const b64 = bytes.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return `Not UTF-8, base64 is: ${lines.join('\n')}`;
}

/** rabbit_misc:amqp_value: a decimal is printed "Scale.Digits" and read back as a float (RabbitMQ's own rendering), void is undefined. */
function headerValue(v: FieldValue): unknown {
  switch (v.type) {
    case 'bytes':
      return utf8Safe(v.value);
    case 'void':
      return 'undefined';
    case 'decimal':
      return Number(`${v.value.scale}.${v.value.value}`);
    case 'int64':
    case 'timestamp':
      return Number(v.value);
    case 'array':
      return v.value.map(headerValue);
    case 'table':
      return headersJson(v.value);
    default:
      return v.value;
  }
}

function headersJson(table: FieldTable): Json {
  const out: Json = {};
  for (const key of Object.keys(table)) out[key] = headerValue(table[key] as FieldValue);
  return out;
}

export function propertiesJson(props: BasicProperties, deliveryCount: number): Json | readonly never[] {
  const out: Json = {};
  let any = false;
  for (const [field, name] of FIELDS) {
    let v: unknown = props[field];
    if (field === 'headers' && deliveryCount > 0) v = { ...(v as FieldTable | undefined), 'x-delivery-count': { type: 'int64', value: deliveryCount } };
    if (v === undefined) continue;
    out[name] = field === 'headers' ? headersJson(v as FieldTable) : typeof v === 'bigint' ? Number(v) : v;
    any = true;
  }
  return any ? out : [];
}

export function gotMessageJson(m: GotMessage, encoding: 'auto' | 'base64', truncate: number | undefined): Json {
  const payload = truncate === undefined || m.body.length < truncate ? m.body : m.body.subarray(0, Math.max(0, truncate));
  const asString = encoding === 'auto' && isUtf8(payload);
  return {
    payload_bytes: m.body.length,
    redelivered: m.redelivered,
    exchange: m.exchange,
    routing_key: m.routingKey,
    message_count: m.messageCount,
    properties: propertiesJson(m.properties, m.deliveryCount),
    payload: asString ? payload.toString('utf8') : payload.toString('base64'),
    payload_encoding: asString ? 'string' : 'base64',
  };
}

export type PayloadEncoding = 'auto' | 'base64';

/** A message read without taking it (browse), in the same shape as a get's. */
export function messageJson(message: Message, redelivered: boolean, messageCount: number, encoding: PayloadEncoding, truncate: number | undefined): Json {
  const got: GotMessage = { redelivered, exchange: message.exchange, routingKey: message.routingKey, messageCount, properties: message.properties, body: message.body, deliveryCount: 0 };
  return gotMessageJson(got, encoding, truncate);
}
