import type { BasicProperties } from '../protocol/content-header.js';
import { decodeProperties } from '../protocol/content-header.js';

// Property flag bits of the basic class, highest first (AMQP 0-9-1 section 4.2.6.1).
const FLAG_CONTENT_TYPE = 1 << 15;
const FLAG_CONTENT_ENCODING = 1 << 14;
const FLAG_HEADERS = 1 << 13;
const FLAG_DELIVERY_MODE = 1 << 12;
const FLAG_PRIORITY = 1 << 11;
const FLAG_CORRELATION_ID = 1 << 10;
const FLAG_REPLY_TO = 1 << 9;
const FLAG_EXPIRATION = 1 << 8;
const FLAG_USER_ID = 1 << 4;

const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** Flags worked out once when a message is published, so queues never decode properties. */
export const MessageFlags = {
  Persistent: 1,
  HasHeaders: 2,
  HasExpiration: 4,
  HasPriority: 8,
  /** reply_to is exactly amq.rabbitmq.reply-to: the channel rewrites it (direct reply-to). */
  DirectReplyTo: 16,
  /** user_id is set: the publisher checks it against the authenticated user, as RabbitMQ does. */
  HasUserId: 32,
} as const;

/**
 * One published message. Routed to many queues it stays one object: queues hold references.
 * The content-header property bytes and the body are kept as received and written back out
 * on delivery; full properties are decoded only when a feature asks for them.
 */
export class Message {
  readonly exchange: string;
  readonly routingKey: string;
  /** Property flags + property list, exactly as the publisher sent them. */
  rawProperties: Buffer;
  readonly body: Buffer;
  readonly flags: number;
  /** 0 when the publisher gave none. */
  readonly priority: number;
  /** The expiration property as sent (ms as a string), or undefined. */
  readonly expiration: string | undefined;
  private decoded: BasicProperties | undefined;

  constructor(exchange: string, routingKey: string, rawProperties: Buffer, body: Buffer) {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.rawProperties = rawProperties;
    this.body = body;
    const peek = peekProperties(rawProperties, PEEK);
    this.flags = peek.flags;
    this.priority = peek.priority;
    this.expiration = peek.expiration;
  }

  get bodySize(): number {
    return this.body.length;
  }

  get persistent(): boolean {
    return (this.flags & MessageFlags.Persistent) !== 0;
  }

  /** New property bytes (the BCC header removed before routing); flags derived from them stay valid. */
  replaceProperties(raw: Buffer): void {
    this.rawProperties = raw;
    this.decoded = undefined;
  }

  /** All properties, decoded on first use. */
  get properties(): BasicProperties {
    if (this.decoded === undefined) this.decoded = decodeProperties(this.rawProperties);
    return this.decoded;
  }
}

/** Scratch for the constructor: read at once into the message, so no object per message. */
const PEEK: Peeked = { flags: 0, priority: 0, expiration: undefined };

interface Peeked {
  flags: number;
  priority: number;
  expiration: string | undefined;
}

/**
 * Reads delivery-mode, priority and expiration by skipping over the length-prefixed fields
 * before them, without decoding the headers table. Malformed input throws a RangeError,
 * which the channel turns into a syntax error.
 */
export function peekProperties(raw: Buffer, into?: Peeked): Peeked {
  const result: Peeked = into ?? { flags: 0, priority: 0, expiration: undefined };
  result.flags = 0;
  result.priority = 0;
  result.expiration = undefined;
  if (raw.length < 2) throw new RangeError('content header properties truncated');
  const bits = raw.readUInt16BE(0);
  if ((bits & FLAG_USER_ID) !== 0) result.flags |= MessageFlags.HasUserId;
  let pos = 2;
  // A set continuation bit means more flag words follow; basic uses none, skip them anyway.
  let word = bits;
  while ((word & 1) !== 0) {
    word = raw.readUInt16BE(pos);
    pos += 2;
  }
  const shortstr = (): void => {
    pos += 1 + raw.readUInt8(pos);
  };
  if (bits & FLAG_CONTENT_TYPE) shortstr();
  if (bits & FLAG_CONTENT_ENCODING) shortstr();
  if (bits & FLAG_HEADERS) {
    const len = raw.readUInt32BE(pos);
    pos += 4 + len;
    if (len > 0) result.flags |= MessageFlags.HasHeaders;
  }
  if (bits & FLAG_DELIVERY_MODE) {
    if (raw.readUInt8(pos) === 2) result.flags |= MessageFlags.Persistent;
    pos += 1;
  }
  if (bits & FLAG_PRIORITY) {
    result.priority = raw.readUInt8(pos);
    result.flags |= MessageFlags.HasPriority;
    pos += 1;
  }
  if (bits & FLAG_CORRELATION_ID) shortstr();
  if (bits & FLAG_REPLY_TO) {
    const len = raw.readUInt8(pos);
    if (len === DIRECT_REPLY_TO.length && raw.toString('latin1', pos + 1, pos + 1 + len) === DIRECT_REPLY_TO) {
      result.flags |= MessageFlags.DirectReplyTo;
    }
    pos += 1 + len;
  }
  if (bits & FLAG_EXPIRATION) {
    const len = raw.readUInt8(pos);
    if (pos + 1 + len > raw.length) throw new RangeError('content header properties truncated');
    result.expiration = raw.toString('latin1', pos + 1, pos + 1 + len);
    result.flags |= MessageFlags.HasExpiration;
    pos += 1 + len;
  }
  if (pos > raw.length) throw new RangeError('content header properties truncated');
  return result;
}
