import type { BasicProperties } from '../protocol/content-header.js';
import { decodeProperties, PropertyFlag } from '../protocol/content-header.js';
import { locateProperty, validateProperties } from '../protocol/content-header-validator.js';
import { MAX_FIELD_DEPTH, type FieldValue } from '../protocol/field-table.js';
import { readValue } from '../protocol/field-table-raw.js';
import { wireString } from '../util/wire-string.js';

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

/** Message.ttl of a message without an expiration property. */
export const NO_TTL = -1;
/** Message.ttl of an expiration that is not a TTL (refused when published: see checkExpiration). */
export const INVALID_TTL = -2;

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
  /**
   * Recovered from a data directory with property bytes that do not decode (written before the broker
   * validated content headers at publish). Such a message is delivered and dead-lettered with its
   * property bytes as stored, and nothing reads its headers (README, Durability).
   */
  Unreadable: 64,
} as const;

/** What recovered property bytes are checked against: structure only, the decoder's own depth bound. */
const STORED_LIMITS = { maxEntries: Infinity, maxDepth: MAX_FIELD_DEPTH, maxSize: Infinity } as const;

/** Why property bytes (from disk, not validated at publish) cannot be decoded, or undefined when they can. */
export function unreadableReason(raw: Buffer): string | undefined {
  try {
    validateProperties(raw, STORED_LIMITS);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * One published message. Routed to many queues it stays one object: queues hold references.
 * The content-header property bytes and the body are kept as received and written back out
 * on delivery. Nothing decoded is cached here: a held message costs its wire bytes plus this
 * object, whatever its headers hold (a decoded 17,000-entry table was ~1.6 MB). Features read
 * the one header or property they need from the bytes (validated when published).
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
  /** The expiration in ms, parsed once here: NO_TTL without one, INVALID_TTL when it is not a TTL. */
  readonly ttl: number;

  /**
   * validated: the property bytes passed validateProperties at publish (or were built by the broker).
   * Bytes from disk pass false and are checked here; if they do not decode the message is Unreadable.
   */
  constructor(exchange: string, routingKey: string, rawProperties: Buffer, body: Buffer, validated = true) {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.rawProperties = rawProperties;
    this.body = body;
    if (!validated && unreadableReason(rawProperties) !== undefined) {
      // Stored, so it was persistent; priority and expiry come from the store's record.
      this.flags = MessageFlags.Unreadable | MessageFlags.Persistent;
      this.priority = 0;
      this.expiration = undefined;
      this.ttl = NO_TTL;
      return;
    }
    const peek = peekProperties(rawProperties, PEEK);
    this.flags = peek.flags;
    this.priority = peek.priority;
    this.expiration = peek.expiration;
    this.ttl = peek.expiration === undefined ? NO_TTL : ttlOf(peek.expiration);
  }

  get unreadable(): boolean {
    return (this.flags & MessageFlags.Unreadable) !== 0;
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
  }

  /** All properties, decoded on every call (bounded by the publish limits): for rare paths only. */
  get properties(): BasicProperties {
    return this.unreadable ? {} : decodeProperties(this.rawProperties);
  }

  /** Where the headers table starts in rawProperties, or -1 when there is none (or it cannot be read). */
  headersAt(): number {
    if ((this.flags & (MessageFlags.HasHeaders | MessageFlags.Unreadable)) !== MessageFlags.HasHeaders) return -1;
    return locateProperty(this.rawProperties, PropertyFlag.headers).start;
  }

  /** One header's value, decoding nothing else; key as bytes (see headerKey). */
  header(key: Buffer): FieldValue | undefined {
    const at = this.headersAt();
    return at < 0 ? undefined : readValue(this.rawProperties, at, key);
  }

  /** One shortstr property (user_id, reply_to, ...), or undefined when absent. */
  shortProperty(flag: number): string | undefined {
    const raw = this.rawProperties;
    if (this.unreadable || (raw.readUInt16BE(0) & flag) === 0) return undefined;
    const at = locateProperty(raw, flag);
    return wireString(raw, at.start + 1, at.end);
  }
}

/**
 * The expiration property's TTL: milliseconds as a decimal string (RabbitMQ's TTL docs), at most 16
 * digits as Warren always accepted, else INVALID_TTL. A loop, not a regex: this runs per publish.
 */
function ttlOf(text: string): number {
  const n = text.length;
  if (n === 0 || n > 16) return INVALID_TTL;
  let ms = 0;
  for (let i = 0; i < n; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return INVALID_TTL;
    ms = ms * 10 + digit;
  }
  return ms;
}

/** A header name as the bytes header() compares; make once, as a constant. */
export function headerKey(name: string): Buffer {
  return Buffer.from(name, 'utf8');
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
  // No closures in here: it runs for every publish and every message read back from a page, and
  // under tsx (the benches) each closure is also named with Object.defineProperty, which made it
  // most of a 4,096-message page landing (bench/event-loop-stalls.ts deliver, CPU profile).
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
  if (bits & FLAG_CONTENT_TYPE) pos += 1 + raw.readUInt8(pos);
  if (bits & FLAG_CONTENT_ENCODING) pos += 1 + raw.readUInt8(pos);
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
  if (bits & FLAG_CORRELATION_ID) pos += 1 + raw.readUInt8(pos);
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
