import { AmqpError, amqpError, isAmqpError } from '../errors/index.js';
import type { Exchange } from '../core/exchange/exchange.js';
import { Message, MessageFlags } from '../core/message.js';
import { checkExpiration, checkPublishable, PublishResult } from '../core/publish.js';
import { checkPublish, checkPublishTopic } from '../core/security/access-rules.js';
import { ClassId } from '../protocol/constants.js';
import { PropertyFlag, writeBodyFrames, writeHeaderFrame } from '../protocol/content-header.js';
import { replaceProperty, validateProperties, type PropertyLimits } from '../protocol/content-header-validator.js';
import { isDecodeError } from '../protocol/errors.js';
import { editTable, RawKeySet } from '../protocol/field-table-raw.js';
import { encodeBasicAckFrame, encodeBasicNackFrame, encodeBasicReturnFrame, type MethodOf } from '../protocol/methods.generated.js';
import { ReplyCode } from '../errors/reply-codes.js';
import type { Channel } from './channel.js';
import { observeConfirm, PendingConfirm } from './pending-confirm.js';
import { Deque } from '../util/deque.js';
import { rewriteReplyTo } from './direct-reply-to.js';
import { rabbitTypeName } from '../core/equivalence.js';
import type { ChannelCounters } from '../core/stats/counters.js';
import { diagnostics, emitPublish } from './diagnostics.js';
import { schemaReturnText } from '../core/schema-reject.js';

interface HeldPublish {
  readonly exchange: Exchange;
  readonly message: Message;
  readonly routingKeys: readonly string[];
  readonly mandatory: boolean;
}

const NO_ROUTE_TEXT = 'NO_ROUTE';
const LARGE_PROPERTIES = 16384;
/**
 * Held publishes dispatched per turn when a transaction commits (see commitTransaction). 256, not
 * 2,000: a slice also pages what overflows the queue, and 2,000 made turns of 40-53 ms of CPU
 * (bench/event-loop-stalls.ts tx, stall cpu ms); 256 made 8-14 ms, at the same throughput.
 */
const COMMIT_SLICE_COUNT = 256;
const COMMIT_SLICE_BYTES = 1024 * 1024;
const PUBLISH_METHOD = { classId: ClassId.basic, methodId: 40 } as const;

/**
 * The publishing side of a channel: assembles method + header + body frames into a message,
 * routes it, sends basic.return for unroutable mandatory messages, and publisher confirms.
 * Confirms are coalesced: consecutive acks in one turn become one basic.ack with multiple=true.
 */
export class Publisher {
  confirmMode = false;
  private readonly channel: Channel;
  private pending: MethodOf<'basic.publish'> | undefined;
  private properties: Buffer | undefined;
  /** The frame parser's source of the properties view: a body view with the same one shares its chunk. */
  private propertiesSource = 0;
  private bodySize = 0;
  private received = 0;
  private chunks: Buffer[] = [];
  private publishSeq = 0;
  // The current run of settled confirms not yet sent: kind 0 none, 1 ack, 2 nack.
  private runKind = 0;
  private runFirst = 0;
  private runLast = 0;
  private held: HeldPublish[] | undefined;
  private readonly inFlight = new Deque<PendingConfirm>();
  private ticket = new PendingConfirm(this);
  /** Reused for the common single routing key (no CC/BCC): no array per publish. */
  private readonly oneKey: string[] = [''];

  private readonly limits: PropertyLimits;
  /** This channel's publish, confirm and return counts (core/stats), also counted on its connection. */
  readonly counters: ChannelCounters;

  constructor(channel: Channel) {
    this.channel = channel;
    const config = channel.port.limits;
    this.counters = channel.port.stats.channelOpened(channel.port.connectionId, channel.id);
    this.limits = { maxEntries: config.maxHeaderTableEntries, maxDepth: config.maxHeaderTableDepth, maxSize: config.maxPropertiesSize };
  }

  /** A basic.publish arrived and its content frames have not all come yet. */
  get expectingContent(): boolean {
    return this.pending !== undefined;
  }

  onPublish(m: MethodOf<'basic.publish'>): void {
    if (m.immediate) throw amqpError('WARREN_NOT_IMPLEMENTED', 'immediate=true');
    this.pending = m;
    this.properties = undefined;
  }

  onContentHeader(classId: number, bodySize: number, properties: Buffer, source: number): void {
    if (this.pending === undefined || this.properties !== undefined) {
      throw amqpError('WARREN_UNEXPECTED_FRAME', `unexpected content header on channel ${this.channel.id}`);
    }
    if (classId !== ClassId.basic) {
      throw amqpError('WARREN_UNEXPECTED_FRAME', `content header for class ${classId} on channel ${this.channel.id}`);
    }
    const max = this.channel.port.limits.maxMessageSize;
    if (bodySize > max) {
      this.pending = undefined;
      throw amqpError('WARREN_MESSAGE_TOO_LARGE', `message size ${bodySize} is larger than configured max size ${max}`, PUBLISH_METHOD);
    }
    try {
      validateProperties(properties, this.limits);
    } catch (err) {
      // A connection error as for malformed method arguments (502); an expected client error, so no stack.
      this.pending = undefined;
      if (isDecodeError(err)) throw amqpError('WARREN_SYNTAX_ERROR', `content header properties do not decode: ${err.message}`, PUBLISH_METHOD);
      throw err;
    }
    this.properties = properties;
    this.propertiesSource = source;
    this.bodySize = bodySize;
    this.received = 0;
    if (bodySize === 0) this.complete(Buffer.alloc(0), false);
  }

  onBody(body: Buffer, source: number): void {
    if (this.pending === undefined || this.properties === undefined) {
      throw amqpError('WARREN_UNEXPECTED_FRAME', `unexpected content body on channel ${this.channel.id}`);
    }
    this.received += body.length;
    if (this.received > this.bodySize) {
      throw amqpError('WARREN_FRAME_ERROR', `content body exceeds the declared body size ${this.bodySize} on channel ${this.channel.id}`);
    }
    if (this.received === this.bodySize && this.chunks.length === 0) {
      // The common single-frame message: the body stays a view of the socket chunk. A message with large
      // properties shares its chunk with few others, so a small body view would pin most of a 64 KiB chunk
      // per held message (measured: 168 KB held for a 102 KB message): copy it out then.
      const lonely = (this.properties as Buffer).length >= LARGE_PROPERTIES && body.length * 4 < body.buffer.byteLength;
      if (lonely) this.complete(Buffer.from(body), false);
      else this.complete(body, source === this.propertiesSource);
      return;
    }
    this.chunks.push(body);
    if (this.received === this.bodySize) {
      const whole = Buffer.concat(this.chunks, this.bodySize);
      this.chunks = [];
      this.complete(whole, false);
    }
  }

  /** sharesChunk: body and properties are views of one chunk (no copy of the properties is needed). */
  private complete(body: Buffer, sharesChunk: boolean): void {
    try {
      this.route(body, sharesChunk);
    } catch (err) {
      // Errors found once the content is complete belong to the basic.publish that started it.
      if (err instanceof AmqpError) err.during(PUBLISH_METHOD);
      throw err;
    }
  }

  private route(body: Buffer, sharesChunk: boolean): void {
    const m = this.pending as MethodOf<'basic.publish'>;
    const properties = this.properties as Buffer;
    this.pending = undefined;
    this.properties = undefined;
    const vhost = this.channel.vhost;
    const access = this.channel.port.access;
    checkPublish(access, m.exchange);
    const exchange = vhost.getExchange(m.exchange);
    checkPublishable(exchange, vhost.name);
    checkPublishTopic(access, exchange, m.routingKey);
    let message: Message;
    try {
      // A body gathered from several frames or chunks has its own buffer; the properties, a view into a
      // 64 KB socket chunk, would keep that whole chunk alive per queued message (2x memory at 64 KB
      // bodies): a copy of the few property bytes costs less. Bodies in one chunk share it, no copy.
      const ownProperties = sharesChunk ? properties : Buffer.from(properties);
      message = new Message(m.exchange, m.routingKey, ownProperties, body);
    } catch (err) {
      throw amqpError('WARREN_SYNTAX_ERROR', `content header properties do not decode: ${(err as Error).message}`);
    }
    checkExpiration(message);
    if ((message.flags & MessageFlags.DirectReplyTo) !== 0) rewriteReplyTo(message, this.channel.replyQueue);
    if ((message.flags & MessageFlags.HasUserId) !== 0) {
      // RabbitMQ's validated user-ID: a message may only claim the user that published it.
      const claimed = message.shortProperty(PropertyFlag.userId);
      const user = this.channel.port.principal.user;
      if (claimed !== user && !access.impersonator) {
        throw amqpError('WARREN_PRECONDITION_FAILED', `user_id property set to '${claimed ?? ''}' but authenticated user was '${user ?? ''}'`);
      }
    }
    const routingKeys = routingKeysOf(message, m.routingKey, this.oneKey);
    if (this.held !== undefined) {
      this.held.push({ exchange, message, routingKeys: [...routingKeys], mandatory: m.mandatory });
      return;
    }
    this.dispatch(exchange, message, routingKeys, m.mandatory);
  }

  private dispatch(exchange: Exchange, message: Message, routingKeys: readonly string[], mandatory: boolean): void {
    // The confirm waits for every disk write of the message (durable queues, a durable delayed
    // exchange) to be synced. The ticket object is reused until a write actually holds on to it.
    const pending = this.confirmMode ? this.ticket : undefined;
    pending?.start(++this.publishSeq, this.channel.port.now());
    // The test kit's nackNext, one compare when unused: not routed, and its confirm is a nack.
    const nack = pending !== undefined && this.channel.port.faults.nackNext > 0;
    const result = nack ? this.injectedNack(pending) : this.channel.vhost.publish(exchange, message, routingKeys, mandatory, pending);
    this.counted(exchange, message, result.enqueued + result.refused, result.routed, mandatory);
    if (result.mustReturn) this.sendReturn(message, result.schemaError); // before its confirm, as RabbitMQ
    if (pending === undefined) return;
    if (result.refused > 0 || result.unavailable > 0 || result.schemaError !== undefined) pending.ack = false; // reject-publish, an unreachable node, x-schema: nack
    if (pending.waiting === 1 && this.inFlight.length === 0) {
      observeConfirm(this.channel.port.stats.globals.confirmLatency, pending, pending.startedAt); // the same turn: the coarse clock has not moved
      this.settleConfirm(pending.seq, pending.ack); // nothing on disk to wait for, nothing earlier pending
      return;
    }
    this.ticket = new PendingConfirm(this);
    this.inFlight.push(pending);
    pending.synced();
  }

  private injectedNack(pending: PendingConfirm): PublishResult {
    this.channel.port.faults.nackNext--;
    pending.ack = false;
    return new PublishResult();
  }

  /** Counters (exchange, channel, connection) and the publish event, for one dispatched message. */
  private counted(exchange: Exchange, message: Message, queues: number, routed: boolean, mandatory: boolean): void {
    this.counters.published(exchange.counters, queues, routed, mandatory, message.bodySize, this.confirmMode);
    if (diagnostics.publish.hasSubscribers) emitPublish(this.channel, message, mandatory, queues, routed);
  }

  /** Sends confirms in publish order: a settled one waits behind any earlier one still syncing. */
  releaseConfirms(): void {
    const inFlight = this.inFlight;
    const latency = this.channel.port.stats.globals.confirmLatency;
    for (let head = inFlight.peek(); head !== undefined && head.waiting === 0; head = inFlight.peek()) {
      inFlight.shift();
      observeConfirm(latency, head, this.channel.port.now());
      this.settleConfirm(head.seq, head.ack);
    }
  }

  /** schemaError: failed its exchange's x-schema, returned with 406 and why, not 312 NO_ROUTE. */
  private sendReturn(message: Message, schemaError: string | undefined): void {
    const out = this.channel.port.outbound;
    const id = this.channel.id;
    const start = out.writer.pos;
    try {
      const [code, text] = schemaError === undefined ? [ReplyCode.NO_ROUTE, NO_ROUTE_TEXT] : [ReplyCode.PRECONDITION_FAILED, schemaReturnText(schemaError)];
      encodeBasicReturnFrame(out.writer, id, code, text, message.exchange, message.routingKey);
      writeHeaderFrame(out.writer, id, ClassId.basic, message.bodySize, message.rawProperties);
      writeBodyFrames(out.writer, id, message.body, this.channel.port.frameMax);
    } catch (err) {
      out.writer.rollback(start); // an encode failure leaves no partial frame before the error's close
      throw err;
    }
    out.commit();
  }

  // ---- confirms -----------------------------------------------------------------------------

  /** Settles one publish sequence number; sent at the end of the current read (ConfirmBatch). */
  settleConfirm(seq: number, ack: boolean): void {
    const kind = ack ? 1 : 2;
    if (ack) this.counters.confirmed();
    if (this.runKind === kind && seq === this.runLast + 1) {
      this.runLast = seq;
      return;
    }
    this.flushConfirms();
    this.runKind = kind;
    this.runFirst = seq;
    this.runLast = seq;
    this.channel.port.confirms.mark(this);
  }

  flushConfirms(): void {
    if (this.runKind === 0) return;
    const w = this.channel.port.outbound.writer;
    const multiple = this.runLast > this.runFirst;
    if (this.runKind === 1) encodeBasicAckFrame(w, this.channel.id, this.runLast, multiple);
    else encodeBasicNackFrame(w, this.channel.id, this.runLast, multiple, false);
    this.runKind = 0;
    this.channel.port.outbound.commit();
  }

  // ---- transactions -------------------------------------------------------------------------

  beginTransaction(): void {
    this.held ??= [];
  }

  /**
   * Dispatches the held publishes, then done(true). A big transaction goes in slices, one per turn
   * of the event loop (1M publishes in one go froze every client for 5 s), with the connection's
   * input held ('work') so nothing else on it runs before tx.commit-ok (AMQP ordering). If the
   * channel closes meanwhile, the rest is dropped (as discard() does) and done(false) runs.
   */
  commitTransaction(done: (committed: boolean) => void): void {
    const held = this.held ?? [];
    this.held = [];
    const channel = this.channel;
    const port = channel.port;
    let next = 0;
    const slice = (): boolean => {
      let bytes = 0;
      const end = Math.min(held.length, next + COMMIT_SLICE_COUNT);
      while (next < end && bytes < COMMIT_SLICE_BYTES) {
        const p = held[next++] as HeldPublish;
        bytes += p.message.bodySize;
        this.dispatch(p.exchange, p.message, p.routingKeys, p.mandatory);
      }
      return next === held.length;
    };
    if (slice()) return done(true);
    port.holdInput('work');
    const step = (): void => {
      if (!port.isOpen(channel)) {
        port.releaseInput('work');
        return done(false);
      }
      try {
        if (!slice()) return void setImmediate(step);
      } catch (err) {
        port.releaseInput('work');
        if (isAmqpError(err) && err.scope === 'channel') port.channelError(channel.id, err);
        else port.connectionError(isAmqpError(err) ? err : new AmqpError('WARREN_INTERNAL_ERROR', 'internal error', undefined, { cause: err }));
        return done(false);
      }
      port.releaseInput('work');
      done(true);
    };
    setImmediate(step);
  }

  rollbackTransaction(): void {
    if (this.held !== undefined) this.held = [];
  }

  /** The channel is closing: drop half-assembled content and held publishes. */
  discard(): void {
    this.channel.port.stats.channelClosed(this.channel.port.connectionId, this.channel.id, this.counters);
    this.pending = undefined;
    this.properties = undefined;
    this.chunks = [];
    if (this.held !== undefined) this.held = [];
    this.runKind = 0;
    this.inFlight.clear();
  }
}

/** CC and BCC are found in one walk over the header bytes, nothing else decoded. */
const SENDER_SELECTED = new RawKeySet(['CC', 'BCC']);

/**
 * RabbitMQ's sender-selected distribution: CC and BCC headers (arrays of strings) add routing
 * keys; BCC is removed from the message before any queue sees it. Only those two values are
 * decoded, and BCC is cut out of the header bytes with every other entry copied as it came.
 */
function routingKeysOf(message: Message, routingKey: string, oneKey: string[]): readonly string[] {
  oneKey[0] = routingKey;
  const at = message.headersAt();
  if (at < 0) return oneKey;
  const raw = message.rawProperties;
  const found = SENDER_SELECTED.select(raw, at);
  const cc = found['CC'];
  const bcc = found['BCC'];
  if (cc === undefined && bcc === undefined) return oneKey;
  const keys = [routingKey];
  for (const [name, v] of [['CC', cc], ['BCC', bcc]] as const) {
    if (v === undefined) continue;
    // RabbitMQ accepts only an array of longstr here and refuses anything else with 406.
    if (v.type !== 'array') {
      throw amqpError('WARREN_PRECONDITION_FAILED', `invalid message: {unacceptable_type_in_header,"${name}",${rabbitTypeName(v)}}`);
    }
    for (const item of v.value) if (item.type === 'string') keys.push(item.value);
  }
  if (bcc !== undefined) {
    const table = editTable(raw, at, { remove: ['BCC'] });
    message.replaceProperties(replaceProperty(raw, PropertyFlag.headers, table));
  }
  return keys;
}
