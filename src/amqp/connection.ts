import type { Socket } from 'node:net';
import { AmqpError, amqpError, isAmqpError, type MethodRef } from '../errors/index.js';
import type { VirtualHost } from '../core/vhost.js';
import { FrameParser, type FrameSink } from '../protocol/frame-parser.js';
import type { DecodeError } from '../protocol/errors.js';
import { encodeMethodFrame, METHOD_IDS, type Method } from '../protocol/methods.generated.js';
import { describeForeignBytes, errorFields } from './connection-log.js';
import { PROTOCOL_HEADER } from '../protocol/constants.js';
import { asString, type FieldTable } from '../protocol/field-table.js';
import type { BrokerContext } from './broker-context.js';
import { Channel } from './channel.js';
import { Handshake, type ClientInfo } from './handshake.js';
import { Outbound } from './outbound.js';
import { Heartbeat } from './heartbeat.js';
import { ConfirmBatch } from './confirm-batch.js';

type State = 'handshake' | 'open' | 'closing' | 'closed';

/** How long we wait for connection.close-ok before dropping the socket. */
const CLOSE_OK_TIMEOUT_MS = 3000;

const PUBLISH_REF: MethodRef = { classId: 60, methodId: 40 };


let connectionCounter = 0;

/**
 * One client connection: frame parsing, the handshake, heartbeats, the channel table and
 * connection-level errors. Channels do the messaging.
 */
export class Connection implements FrameSink {
  readonly id = ++connectionCounter;
  readonly socket: Socket;
  readonly ctx: BrokerContext;
  readonly outbound: Outbound;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly channels = new Map<number, Channel>();
  readonly confirms = new ConfirmBatch();
  /** Channels we closed and await channel.close-ok for: frames on them are dropped (spec 4.2.6.4... "discard"). */
  private readonly closingChannels = new Set<number>();
  private readonly parser: FrameParser;
  private readonly handshake: Handshake;
  private state: State = 'handshake';
  private readonly openedAt: number;
  private client: ClientInfo | undefined;
  /** The client's connection_name property, if it gave one: what operators recognise a connection by. */
  private clientName: string | undefined;
  /** A log line already said why this connection ended: the generic close line would repeat it. */
  private explained = false;
  vhost: VirtualHost | undefined;
  frameMax: number;
  channelMax: number;
  private readonly heartbeat: Heartbeat;
  private closeReason = 'client closed the socket';
  private closeTimer: NodeJS.Timeout | undefined;
  private blocked = false;
  private published = false;
  private readonly onClosed: (c: Connection) => void;

  constructor(socket: Socket, ctx: BrokerContext, onClosed: (c: Connection) => void) {
    this.socket = socket;
    this.ctx = ctx;
    this.onClosed = onClosed;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.frameMax = ctx.config.frameMax;
    this.channelMax = ctx.config.channelMax;
    // A precise clock read, once per connection: the coarse clock can be a whole tick old, which
    // made the handshake timeout fire up to 250 ms early (a 200 ms timeout after 120 ms).
    this.openedAt = Date.now();
    this.heartbeat = new Heartbeat(this.openedAt);
    this.outbound = new Outbound(socket, () => this.onDrain());
    this.parser = new FrameParser(this, { frameMax: ctx.config.frameMax, expectProtocolHeader: true });
    this.handshake = new Handshake(this);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      this.closeReason = `socket error: ${err.message}`;
    });
    socket.on('close', () => this.teardown());
  }

  get user(): string | undefined {
    return this.client?.username;
  }

  get clientInfo(): ClientInfo | undefined {
    return this.client;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** The client asked for it in its capabilities table. */
  capability(name: string): boolean {
    return this.client?.capabilities[name] === true;
  }

  get heartbeatMs(): number {
    return this.heartbeat.intervalMs;
  }

  get label(): string {
    return `${this.remoteAddress}:${this.remotePort}`;
  }

  /** What every log line about this connection carries: peer, the client's name for it, user, vhost. */
  logFields(): { connection: string; connectionName: string | undefined; user: string | undefined; vhost: string | undefined } {
    return { connection: this.label, connectionName: this.clientName, user: this.user, vhost: this.vhost?.name };
  }

  /** From connection.start-ok, before authentication: names the connection in refusal lines too. */
  noteClientProperties(properties: FieldTable): void {
    this.clientName = asString(properties['connection_name']);
  }

  // ---- input --------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.heartbeat.noteRead();
    if (this.state === 'closed') return;
    const err = this.parser.push(chunk);
    if (err !== undefined) this.onDecodeError(err, chunk);
    this.confirms.flush();
    if (this.published) this.ctx.alarms.noteIncoming(chunk.length);
    // A connection that publishes while an alarm is on stops being read (RabbitMQ's flow control).
    if (this.published && !this.blocked && this.ctx.alarms.active) this.setBlocked(true, this.ctx.alarms.reason);
  }

  private onDecodeError(err: DecodeError, chunk: Buffer): void {
    if (err.kind === 'bad-protocol-header') {
      // Spec 4.2.2: answer a wrong header with the header we speak, then close.
      this.closeReason = 'bad protocol header';
      const looksLike = describeForeignBytes(chunk);
      this.explained = true;
      this.ctx.logger.warn(
        { event: 'connection.not-amqp', ...this.logFields(), looksLike, firstBytes: chunk.subarray(0, 16).toString('hex') },
        `bytes that are not AMQP on the AMQP port (${looksLike}); closed`,
      );
      this.socket.end(PROTOCOL_HEADER);
      this.state = 'closed';
      return;
    }
    const code = err.replyCode === 501 ? 'WARREN_FRAME_ERROR' : err.replyCode === 502 ? 'WARREN_SYNTAX_ERROR' : 'WARREN_COMMAND_INVALID';
    const error = amqpError(code, err.message, { classId: err.classId, methodId: err.methodId });
    this.connectionError(error);
    // The stream lost frame sync, so the client's close-ok could never be read: flush the close and
    // half-close now rather than wait CLOSE_OK_TIMEOUT_MS for it.
    this.finish();
  }

  onProtocolHeader(): void {
    this.handshake.start();
  }

  onMethod(channel: number, method: Method): void {
    if (this.state === 'closed') return;
    try {
      if (channel === 0) {
        this.onConnectionMethod(method);
        return;
      }
      if (this.state === 'closing') return; // spec: after sending close, discard all but close/close-ok
      if (this.state !== 'open') throw amqpError('WARREN_COMMAND_INVALID', `unexpected ${method.name} on channel ${channel} before connection.open-ok`);
      this.onChannelMethod(channel, method);
    } catch (err) {
      this.handleError(err, channel, method);
    }
  }

  onContentHeader(channel: number, classId: number, bodySize: number, properties: Buffer): void {
    if (this.state !== 'open') return;
    let ch: Channel | undefined;
    try {
      ch = this.contentChannel(channel, 'content header');
      ch?.onContentHeader(classId, bodySize, properties);
    } catch (err) {
      this.handleError(err, channel, pendingPublish(ch));
    }
  }

  onBody(channel: number, body: Buffer): void {
    if (this.state !== 'open') return;
    let ch: Channel | undefined;
    try {
      ch = this.contentChannel(channel, 'content body');
      ch?.onBody(body);
    } catch (err) {
      this.handleError(err, channel, pendingPublish(ch));
    }
  }

  onHeartbeat(channel: number): void {
    // Spec 4.2.7: a heartbeat on another channel is a frame error (RabbitMQ says 505 UNEXPECTED_FRAME).
    if (channel !== 0 && this.state === 'open') {
      this.connectionError(amqpError('WARREN_FRAME_ERROR', `heartbeat frame on channel ${channel}`));
    }
  }

  private contentChannel(channel: number, what: string): Channel | undefined {
    if (channel === 0) throw amqpError('WARREN_UNEXPECTED_FRAME', `${what} frame on channel 0`);
    if (this.closingChannels.has(channel)) return undefined;
    const ch = this.channels.get(channel);
    // RabbitMQ: 505, "expected method frame, got non method frame instead" (a fresh channel expects a method).
    if (ch === undefined) throw amqpError('WARREN_UNEXPECTED_FRAME', `${what} frame on channel ${channel}, which is not open`);
    return ch;
  }

  private onConnectionMethod(method: Method): void {
    switch (method.name) {
      case 'connection.close':
        this.closeReason = `client closed: ${method.replyCode} ${method.replyText}`;
        this.sendMethod(0, { name: 'connection.close-ok' });
        this.finish();
        return;
      case 'connection.close-ok':
        if (this.state === 'closing') this.finish();
        return;
      default:
        if (this.state === 'closing') return;
        if (this.state === 'handshake') {
          this.handshake.onMethod(method);
          return;
        }
        // RabbitMQ's code for this: 504 "unexpected method in connection state running".
        throw amqpError('WARREN_CHANNEL_ERROR', `unexpected method ${method.name} on channel 0`);
    }
  }

  private onChannelMethod(channel: number, method: Method): void {
    if (method.name === 'basic.publish') this.published = true;
    if (this.closingChannels.has(channel)) {
      if (method.name === 'channel.close-ok') this.closingChannels.delete(channel);
      else if (method.name === 'channel.close') this.sendMethod(channel, { name: 'channel.close-ok' });
      return;
    }
    if (method.name === 'channel.open') {
      if (channel > this.channelMax) {
        throw amqpError('WARREN_CHANNEL_ERROR', `channel number ${channel} is above the negotiated channel_max ${this.channelMax}`);
      }
      if (this.channels.has(channel)) throw amqpError('WARREN_CHANNEL_ERROR', `second 'channel.open' seen on channel ${channel}`);
      const ch = new Channel(this, channel, this.vhost as VirtualHost);
      this.channels.set(channel, ch);
      this.sendMethod(channel, { name: 'channel.open-ok', channelId: Buffer.alloc(0) });
      return;
    }
    const ch = this.channels.get(channel);
    if (ch === undefined) throw amqpError('WARREN_CHANNEL_ERROR', `expected 'channel.open' on channel ${channel}, got ${method.name}`);
    if (ch.publisher.expectingContent) {
      // As RabbitMQ's command assembler: the error names the basic.publish whose content is missing.
      throw amqpError('WARREN_UNEXPECTED_FRAME', `expected content for basic.publish on channel ${channel}, got ${method.name}`, PUBLISH_REF);
    }
    ch.onMethod(method);
  }

  // ---- errors and closing -------------------------------------------------------------------

  private handleError(err: unknown, channel: number, method: Method | MethodRef | undefined): void {
    const error = isAmqpError(err) ? err : this.internalError(err);
    if (method !== undefined) error.during('name' in method ? methodRef(method) : method);
    if (error.scope === 'channel' && channel !== 0) this.channelError(channel, error);
    else this.connectionError(error);
  }

  private internalError(err: unknown): AmqpError {
    this.ctx.logger.error({ err, connection: this.label }, 'internal error');
    return new AmqpError('WARREN_INTERNAL_ERROR', 'internal error', undefined, { cause: err });
  }

  /** Closes one channel with channel.close and drops its frames until close-ok. */
  channelError(channel: number, error: AmqpError): void {
    const ch = this.channels.get(channel);
    if (ch === undefined) return;
    this.channels.delete(channel);
    ch.cleanup();
    this.closingChannels.add(channel);
    this.ctx.logger.info(
      { event: 'channel.error', ...this.logFields(), channel, ...errorFields(error) },
      `channel ${channel} closed: ${error.replyText}`,
    );
    this.sendMethod(channel, {
      name: 'channel.close',
      replyCode: error.replyCode,
      replyText: error.replyText,
      classId: error.classId,
      methodId: error.methodId,
    });
  }

  /** The client closed a channel: clean up and confirm. */
  channelClosedByClient(channel: Channel): void {
    this.channels.delete(channel.id);
    channel.cleanup();
    this.sendMethod(channel.id, { name: 'channel.close-ok' });
  }

  /**
   * Sends connection.close and waits (bounded) for close-ok. `logged`: the caller already wrote a
   * line that says why (a refused login), so this one would only repeat it.
   */
  connectionError(error: AmqpError, options?: { logged?: boolean }): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (options?.logged !== true) {
      this.ctx.logger.warn({ event: 'connection.error', ...this.logFields(), ...errorFields(error) }, `connection closed by the broker: ${error.replyText}`);
    }
    this.explained = true;
    if (this.blocked) this.socket.resume(); // the close-ok must be read even from a blocked peer
    this.closeReason = error.replyText;
    // The parser keeps running: the client's close-ok must still be read. Until then the 'closing'
    // state drops every other frame (spec 2.2.2.2).
    this.closeChannels();
    this.state = 'closing';
    this.sendMethod(0, {
      name: 'connection.close',
      replyCode: error.replyCode,
      replyText: error.replyText,
      classId: error.classId,
      methodId: error.methodId,
    });
    this.closeTimer = setTimeout(() => this.finish(), CLOSE_OK_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  /** Broker shutdown: connection.close 320 CONNECTION_FORCED. */
  forceClose(detail: string): void {
    if (this.state === 'handshake') {
      this.closeReason = detail;
      this.finish();
      return;
    }
    this.connectionError(amqpError('WARREN_CONNECTION_FORCED', detail));
  }

  /** Ends the socket after flushing what is queued; `explained`: a log line already said why. */
  finish(options?: { explained?: boolean }): void {
    if (this.state === 'closed') return;
    if (options?.explained === true) this.explained = true;
    this.closeChannels();
    this.state = 'closed';
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.outbound.end();
    // A peer that never reads must not keep the socket (and its buffers) alive.
    setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT_MS).unref();
  }

  private closeChannels(): void {
    for (const ch of this.channels.values()) ch.cleanup();
    this.channels.clear();
  }

  private teardown(): void {
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.closeChannels();
    this.outbound.close();
    const wasOpen = this.vhost !== undefined;
    this.vhost?.connectionClosed(this);
    this.state = 'closed';
    if (wasOpen) {
      this.ctx.logger.info({ event: 'connection.closed', ...this.logFields(), reason: this.closeReason }, 'connection closed');
    } else if (!this.explained) {
      this.ctx.logger.info(
        { event: 'connection.closed-in-handshake', ...this.logFields(), stage: this.handshake.stage, reason: this.closeReason },
        `connection closed before the handshake finished (at ${this.handshake.stage}): ${this.closeReason}`,
      );
    }
    this.onClosed(this);
  }

  // ---- output -------------------------------------------------------------------------------

  sendMethod(channel: number, method: Method): void {
    const w = this.outbound.writer;
    const start = w.pos;
    try {
      encodeMethodFrame(w, channel, method);
    } catch (err) {
      w.pos = start; // never a half-written frame on the wire before the error's close
      throw err;
    }
    this.outbound.commit();
  }

  /** connection.blocked / unblocked for the flow-control layer; only to clients that asked. */
  setBlocked(blocked: boolean, reason = 'low on resources'): void {
    if (blocked === this.blocked || this.state !== 'open') return;
    this.blocked = blocked;
    if (blocked) this.socket.pause();
    else this.socket.resume();
    if (!this.capability('connection.blocked')) return;
    this.sendMethod(0, blocked ? { name: 'connection.blocked', reason } : { name: 'connection.unblocked' });
  }

  /** This connection has sent basic.publish: flow control applies to it. */
  get hasPublished(): boolean {
    return this.published;
  }

  get isBlocked(): boolean {
    return this.blocked;
  }

  private onDrain(): void {
    for (const ch of this.channels.values()) ch.resumeDeliveries();
  }

  // ---- handshake results and timers ---------------------------------------------------------

  /** Called by the handshake once connection.open succeeded. */
  opened(vhost: VirtualHost, client: ClientInfo, frameMax: number, channelMax: number, heartbeatSeconds: number): void {
    this.vhost = vhost;
    this.client = client;
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.heartbeat.intervalMs = heartbeatSeconds * 1000;
    this.parser.setFrameMax(frameMax);
    this.state = 'open';
    this.ctx.logger.info(
      { event: 'connection.opened', connection: this.label, user: client.username, vhost: vhost.name, client: client.product },
      'connection opened',
    );
  }

  /** The handshake learned who the client is (after start-ok), before open. */
  authenticated(client: ClientInfo): void {
    this.client = client;
  }

  tuned(frameMax: number, channelMax: number, heartbeatSeconds: number): void {
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.heartbeat.intervalMs = heartbeatSeconds * 1000;
    this.parser.setFrameMax(frameMax);
  }

  /** Called by the server's ticker: heartbeats out, dead peers and stalled handshakes dropped. */
  tick(now: number): void {
    if (this.state === 'closed') return;
    if (this.state === 'handshake' && now - this.openedAt > this.ctx.config.handshakeTimeout) {
      this.closeReason = `handshake not finished within ${this.ctx.config.handshakeTimeout} ms`;
      this.socket.destroy();
      return;
    }
    if (this.state === 'open') for (const ch of this.channels.values()) ch.checkConsumerTimeout(now);
    if (!this.heartbeat.tick(now, this.outbound, this.blocked)) {
      this.closeReason = `missed heartbeats from client, timeout: ${this.heartbeat.intervalMs / 1000}s`;
      this.socket.destroy();
    }
  }

  serverPropertiesTable(): FieldTable {
    return this.ctx.serverProperties;
  }
}

/** What a content-frame error refers to: the basic.publish still waiting for its content, if any. */
function pendingPublish(ch: Channel | undefined): MethodRef | undefined {
  return ch?.publisher.expectingContent === true ? PUBLISH_REF : undefined;
}

function methodRef(method: Method): MethodRef {
  const ids = METHOD_IDS[method.name];
  return { classId: ids[0], methodId: ids[1] };
}
