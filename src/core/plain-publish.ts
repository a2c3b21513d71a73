import { isAmqpError } from '../errors/index.js';
import { encodePropertiesBuffer, type BasicProperties } from '../protocol/content-header.js';
import { validateProperties, type PropertyLimits } from '../protocol/content-header-validator.js';
import type { FieldValue } from '../protocol/field-table.js';
import { rabbitTypeName } from './equivalence.js';
import { Message, MessageFlags } from './message.js';
import type { SyncTicket } from './persistence.js';
import { basicPropertiesOf, decodeBase64, isObject, PublishRequestError } from './plain-properties.js';
import { checkExpiration, checkPublishable } from './publish.js';
import type { VirtualHost } from './vhost.js';
import type { PrincipalAccess } from './security/access.js';
import { checkPublish, checkPublishTopic } from './security/access-rules.js';
export { PublishRequestError } from './plain-properties.js';

/** The body of RabbitMQ's management `POST /api/exchanges/{vhost}/{name}/publish`. */
export interface PlainPublishRequest {
  readonly routing_key: string;
  readonly payload: string;
  readonly payload_encoding: 'string' | 'base64';
  readonly properties: PlainProperties;
}

export interface PlainProperties {
  readonly content_type?: string;
  readonly content_encoding?: string;
  /** Strings, numbers, booleans, nested objects and arrays (RabbitMQ's JSON-to-table rules). */
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly delivery_mode?: number;
  readonly priority?: number;
  readonly correlation_id?: string;
  readonly reply_to?: string;
  /** A TTL in ms as a decimal string. */
  readonly expiration?: string;
  readonly message_id?: string;
  /** Seconds since the epoch. */
  readonly timestamp?: number;
  readonly type?: string;
  readonly user_id?: string;
  readonly app_id?: string;
}

export interface PlainPublishOptions {
  /** The authenticated user a user_id property must name (RabbitMQ's validated user-ID); undefined: not checked (an impersonator, or the embedder itself). */
  readonly user?: string;
  readonly maxMessageSize?: number;
  /** Bounds on the headers table, as for basic.publish (maxHeaderTableEntries and friends). */
  readonly propertyLimits?: PropertyLimits;
  /** Held by every disk write of the message (durable queues) until synced, as a publisher confirm. */
  readonly ticket?: SyncTicket;
  /**
   * The publishing user's access decisions: write on the exchange and, on a topic exchange, the
   * topic permission on the routing key, as basic.publish checks them; undefined: not checked.
   */
  readonly access?: PrincipalAccess;
}

export interface PlainPublishResult {
  /** The message reached a queue (or a delayed exchange): RabbitMQ's `routed`. */
  readonly routed: boolean;
}

const REQUIRED = ['routing_key', 'properties', 'payload', 'payload_encoding'] as const;
const CC = 'CC';
const BCC = 'BCC';

/**
 * Builds the Message for a management-API publish: what RabbitMQ's rabbit_mgmt_wm_exchange_publish
 * does, key by key and in its order (missing keys, a payload that is not a string, the properties,
 * then the payload's encoding). CC and BCC headers add routing keys, and BCC is removed, as for
 * basic.publish. Throws PublishRequestError.
 */
export function plainMessage(
  exchange: string,
  request: unknown,
  options: PlainPublishOptions = {},
  admit?: (routingKey: string) => void,
): { message: Message; routingKeys: string[] } {
  if (!isObject(request)) throw new PublishRequestError('not_json_object');
  const missing = REQUIRED.filter((k) => !Object.hasOwn(request, k));
  if (missing.length > 0) throw new PublishRequestError(`[${missing.map((k) => `{key_missing,${k}}`).join(',')}]`);
  const { routing_key: routingKey, payload, payload_encoding: encoding } = request;
  if (typeof payload !== 'string') throw new PublishRequestError('payload_not_string');
  if (typeof routingKey !== 'string') throw new PublishRequestError('{not_string,routing_key}');
  if (Buffer.byteLength(routingKey, 'utf8') > 255) throw new PublishRequestError('{string_too_long,routing_key}');
  const props = basicPropertiesOf(request['properties']);
  let body: Buffer | undefined;
  if (encoding === 'string') body = Buffer.from(payload, 'utf8');
  else if (encoding === 'base64') body = decodeBase64(payload);
  else throw new PublishRequestError(`{unsupported_encoding,${JSON.stringify(encoding)}}`);
  if (body === undefined) throw new PublishRequestError(`{not_base64,${JSON.stringify(payload.length > 64 ? `${payload.slice(0, 64)}...` : payload)}}`);
  if (options.maxMessageSize !== undefined && body.length > options.maxMessageSize) {
    refused(406, `PRECONDITION_FAILED - message size ${body.length} is larger than configured max size ${options.maxMessageSize}`);
  }
  const routingKeys = [routingKey, ...senderSelected(props)];
  const raw = encodePropertiesBuffer(props);
  if (options.propertyLimits !== undefined) {
    try {
      validateProperties(raw, options.propertyLimits);
    } catch (err) {
      throw new PublishRequestError(`{invalid_headers,${JSON.stringify((err as Error).message)}}`);
    }
  }
  const message = new Message(exchange, routingKey, raw, body);
  admit?.(routingKey);
  channelChecks(message, props, options);
  return { message, routingKeys };
}

/**
 * Publishes a management-API request through the vhost's one publish path, mandatory as RabbitMQ's
 * API does, and says whether it was routed. The exchange by its API name ('amq.default' is the
 * default exchange). A missing exchange is a 404; a refusal by a queue (x-overflow reject-publish)
 * is 400 'rejected', as RabbitMQ answers its nack.
 */
export function publishPlain(vhost: VirtualHost, exchangeName: string, request: unknown, options: PlainPublishOptions = {}): PlainPublishResult {
  const name = exchangeName === 'amq.default' ? '' : exchangeName;
  const exchange = vhost.exchanges.get(name);
  if (exchange === undefined) throw new PublishRequestError('Not Found', 'Object Not Found', 404);
  // What the management API's channel checks once the body decoded (rabbit_channel's order): write
  // on the exchange, not internal, the topic permission on the routing key.
  const { access } = options;
  const admit = (routingKey: string): void => {
    try {
      if (access !== undefined) checkPublish(access, name);
      checkPublishable(exchange, vhost.name);
      if (access !== undefined) checkPublishTopic(access, exchange, routingKey);
    } catch (err) {
      if (isAmqpError(err)) refused(err.replyCode, err.message);
      throw err;
    }
  };
  const { message, routingKeys } = plainMessage(name, request, options, admit);
  const result = vhost.publish(exchange, message, routingKeys, true, options.ticket);
  const queues = result.enqueued + result.refused;
  const routed = result.routed;
  const refusedBy = result.refused + result.unavailable; // unavailable: a queue on an unreachable node (cluster)
  const c = exchange.counters;
  c.publish_in++;
  c.publish_out += queues;
  if (!routed) c.return_unroutable++;
  if (refusedBy > 0) throw new PublishRequestError('Unable to publish message. Check queue limits.', 'rejected');
  return { routed };
}

function refused(code: number, text: string): never {
  throw new PublishRequestError(text, code);
}

/** What a channel checks before routing: the expiration, the user_id, direct reply-to (no consumer here). */
function channelChecks(message: Message, props: BasicProperties, options: PlainPublishOptions): void {
  try {
    checkExpiration(message);
  } catch (err) {
    if (isAmqpError(err)) refused(err.replyCode, err.message);
    throw err;
  }
  if (props.userId !== undefined && options.user !== undefined && props.userId !== options.user) {
    refused(406, `PRECONDITION_FAILED - user_id property set to '${props.userId}' but authenticated user was '${options.user}'`);
  }
  if ((message.flags & MessageFlags.DirectReplyTo) !== 0) refused(406, 'PRECONDITION_FAILED - fast reply consumer does not exist');
}

/** CC and BCC routing keys (arrays of strings; anything else refused as RabbitMQ does); BCC is taken out of the headers. */
function senderSelected(props: BasicProperties): string[] {
  const headers = props.headers;
  if (headers === undefined) return [];
  const keys: string[] = [];
  for (const name of [CC, BCC]) {
    const v: FieldValue | undefined = headers[name];
    if (v === undefined) continue;
    if (v.type !== 'array') refused(406, `PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"${name}",${rabbitTypeName(v)}}`);
    for (const item of v.value) if (item.type === 'string') keys.push(item.value);
  }
  if (headers[BCC] !== undefined) props.headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== BCC));
  return keys;
}
