import type { BasicProperties } from '../protocol/content-header.js';
import type { FieldTable, FieldValue } from '../protocol/field-table.js';

/**
 * A publish request that cannot be carried out, with what RabbitMQ's management API answers for it:
 * `status` (400 or 404) and the JSON body `{ error, reason }`. `error` is 'bad_request' for a request
 * the API cannot read, 'rejected' when a queue refused the message (x-overflow reject-publish), and
 * the AMQP reply code when the broker refused the publish as a channel would (406 for an invalid
 * expiration, 403 for an internal exchange): then `reason` is the AMQP text.
 */
export class PublishRequestError extends Error {
  readonly status: 400 | 401 | 404;
  readonly error: string | number;
  readonly reason: string;

  constructor(reason: string, error: string | number = 'bad_request', status: 400 | 401 | 404 = 400) {
    super(reason);
    this.name = 'PublishRequestError';
    this.status = status;
    this.error = error;
    this.reason = reason;
  }
}

const bad = (reason: string): never => {
  throw new PublishRequestError(reason);
};

/** The shortstr properties, in P_basic's order (RabbitMQ checks them in that order: the first error wins). */
const FIELDS = [
  ['content_type', 'contentType', 'string'],
  ['content_encoding', 'contentEncoding', 'string'],
  ['headers', 'headers', 'table'],
  ['delivery_mode', 'deliveryMode', 'octet'],
  ['priority', 'priority', 'octet'],
  ['correlation_id', 'correlationId', 'string'],
  ['reply_to', 'replyTo', 'string'],
  ['expiration', 'expiration', 'string'],
  ['message_id', 'messageId', 'string'],
  ['timestamp', 'timestamp', 'timestamp'],
  ['type', 'type', 'string'],
  ['user_id', 'userId', 'string'],
  ['app_id', 'appId', 'string'],
  ['cluster_id', 'clusterId', 'string'],
] as const;

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The management API's `properties` object as AMQP basic properties, as RabbitMQ's
 * rabbit_mgmt_format:to_basic_properties reads it: unknown keys are ignored, integers where AMQP has
 * octets or a timestamp (`{not_int,<key>}` otherwise), strings for the rest (`{not_string,<key>}`).
 * Warren also refuses what would not encode, where RabbitMQ fails later or truncates: an octet outside
 * 0..255 or a negative timestamp (`{out_of_range,<key>}`), a string over 255 bytes (`{string_too_long,<key>}`).
 */
export function basicPropertiesOf(json: unknown): BasicProperties {
  if (!isObject(json)) return bad('{not_table,properties}');
  const props: Record<string, unknown> = {};
  for (const [key, name, kind] of FIELDS) {
    if (!Object.hasOwn(json, key)) continue;
    const v = json[key];
    if (v === undefined || v === null) continue; // as absent: what JSON clients send for "not set"
    switch (kind) {
      case 'string':
        if (typeof v !== 'string') bad(`{not_string,${key}}`);
        if (Buffer.byteLength(v as string, 'utf8') > 255) bad(`{string_too_long,${key}}`);
        props[name] = v;
        break;
      case 'octet':
        if (!Number.isInteger(v)) bad(`{not_int,${key}}`);
        if ((v as number) < 0 || (v as number) > 255) bad(`{out_of_range,${key}}`);
        props[name] = v;
        break;
      case 'timestamp':
        if (!Number.isInteger(v)) bad(`{not_int,${key}}`);
        if ((v as number) < 0 || !Number.isSafeInteger(v)) bad(`{out_of_range,${key}}`);
        props[name] = v;
        break;
      case 'table':
        props[name] = tableOf(v, 0);
        break;
    }
  }
  return props as BasicProperties;
}

const MAX_DEPTH = 32;

/** RabbitMQ's to_amqp_table: strings longstr, integers long (int64 beyond int32), other numbers double, booleans, objects tables, arrays arrays; null is refused. */
function tableOf(json: unknown, depth: number): FieldTable {
  if (!isObject(json)) return bad('{not_table,headers}');
  const table: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(json)) {
    if (Buffer.byteLength(k, 'utf8') > 255) bad(`{string_too_long,${k}}`);
    table[k] = valueOf(v, depth);
  }
  return table;
}

function valueOf(v: unknown, depth: number): FieldValue {
  if (depth > MAX_DEPTH) return bad('{too_deep,headers}');
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return bad(`{unhandled_type,${String(v)}}`);
    if (!Number.isInteger(v)) return { type: 'double', value: v };
    if (v >= INT32_MIN && v <= INT32_MAX) return { type: 'int32', value: v };
    return { type: 'int64', value: v };
  }
  if (v === null) return bad('{invalid_value,null}');
  if (Array.isArray(v)) return { type: 'array', value: v.map((item) => valueOf(item, depth + 1)) };
  if (isObject(v)) return { type: 'table', value: tableOf(v, depth + 1) };
  return bad(`{unhandled_type,${typeof v}}`);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Base64 as Erlang's base64:decode takes it: the standard alphabet, padded to a multiple of 4; whitespace ignored. */
export function decodeBase64(text: string): Buffer | undefined {
  const s = text.replace(/[\s]/g, '');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}
