import type { Transport } from './transport.js';
import { AmqpError, amqpError, isAmqpError, type MethodRef } from '../errors/index.js';
import type { VirtualHost } from '../core/vhost.js';
import { connectionPrincipal, type Principal } from '../core/principal.js';
import { FrameParser, type FrameSink } from '../protocol/frame-parser.js';
import type { DecodeError } from '../protocol/errors.js';
import type { Method } from '../protocol/methods.generated.js';
import { PROTOCOL_HEADER } from '../protocol/constants.js';
import { asString, type FieldTable } from '../protocol/field-table.js';
import type { BrokerContext } from './broker-context.js';
import type { Channel } from './channel.js';
import { ChannelTable, pendingPublish } from './channel-table.js';
import { Handshake, onRunningMethod, type ClientInfo } from './handshake.js';
import { Outbound } from './outbound.js';
import { Heartbeat } from './heartbeat.js';
import { ConfirmBatch } from './confirm-batch.js';
import { InputHold, type InputHoldReason } from './input-hold.js';
import { closeMethod, decodeErrorReply, methodRef, writeMethodFrame } from './wire-errors.js';
import { errorFields, logClosed, logNotAmqp } from './connection-log.js';

type State = 'handshake' | 'open' | 'closing' | 'closed';

const CLOSE_OK_TIMEOUT_MS = 3000; // how long we wait for connection.close-ok before dropping the socket

/**
 * One client connection: frame parsing, the handshake, heartbeats, the channel table and
 * connection-level errors. Channels do the messaging.
 */
export class Connection implements FrameSink {
  /** Numbered by the server that accepted it (per broker, not per process). */
  readonly id: number;
  readonly socket: Transport;
  readonly ctx: BrokerContext;
  readonly outbound: Outbound;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly confirms = new ConfirmBatch();
  private readonly table = new ChannelTable(this);
  readonly channels: ReadonlyMap<number, Channel> = this.table.open;
  readonly parser: FrameParser;
  readonly handshake: Handshake;
  state: State = 'handshake';
  readonly openedAt: number;
  client: ClientInfo | undefined;
  /** The client's connection_name property, if it gave one: what operators recognise a connection by. */
  clientName: string | undefined;
  /** A log line already said why this connection ended: the generic close line would repeat it. */
  private explained = false;
  vhost: VirtualHost | undefined;
  principal: Principal | undefined; // who acts here, made at connection.open: core compares it, not this object
  frameMax: number;
  channelMax: number;
  private readonly heartbeat: Heartbeat;
  private closeReason = 'client closed the socket';
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly input: InputHold;
  private published = false;
  /** Set when accepted over max-connections: start-ok is answered with 530 and this text. */
  openRefusal: string | undefined = undefined;
  private readonly onClosed: (c: Connection) => void;

  constructor(socket: Transport, ctx: BrokerContext, onClosed: (c: Connection) => void, id = 0) {
    this.id = id;
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
    this.outbound = new Outbound(socket, this.onDrain);
    this.parser = new FrameParser(this, { frameMax: ctx.config.frameMax, expectProtocolHeader: true });
    this.handshake = new Handshake(this);
    this.input = new InputHold(this.parser, socket, () => this.onData(undefined));
    this.outbound.bindInput(this.input);
    socket.setNoDelay?.(true);
    socket.on('data', this.onData); // socket callbacks are guarded: a bug ends this connection only
    socket.on('error', (err) => {
      this.closeReason = `socket error: ${err.message}`;
    });
    socket.on('close', this.teardown);
  }

  get user(): string | undefined {
    return this.client?.username;
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

  /** A socket read, or (chunk undefined) the bytes the parser kept while input was held. */
  private readonly onData = (chunk: Buffer | undefined): void => {
    try {
      if (chunk !== undefined) this.heartbeat.noteRead();
      if (this.state === 'closed') return;
      const err = chunk === undefined ? this.parser.resume() : this.parser.push(chunk);
      if (err !== undefined) this.onDecodeError(err, chunk);
      this.confirms.flush();
      if (this.published && chunk !== undefined) this.ctx.alarms.noteIncoming(chunk.length);
      // A connection that publishes while an alarm is on stops being read (RabbitMQ's flow control).
      if (this.published && !this.input.has('alarm') && this.ctx.alarms.active) this.setBlocked(true, this.ctx.alarms.reason);
    } catch (err) {
      this.crashed(err);
    }
  };

  /** Input hold (the contract is at the top of input-hold.ts): stop reading, for a reason, until released. */
  holdInput(reason: InputHoldReason): void {
    this.input.hold(reason);
  }

  releaseInput(reason: InputHoldReason): void {
    this.input.release(reason);
  }

  /** Bytes buffered for this peer both ways: what the memory alarm counts for a connection. */
  get bufferedBytes(): number {
    return this.parser.bufferedBytes + this.outbound.buffered;
  }

  private onDecodeError(err: DecodeError, chunk: Buffer | undefined): void {
    if (err.kind === 'bad-protocol-header') {
      // Spec 4.2.2: answer a wrong header with the header we speak, then close.
      this.closeReason = 'bad protocol header';
      this.explained = true;
      logNotAmqp(this.ctx.logger, this.logFields(), chunk);
      this.socket.end(PROTOCOL_HEADER);
      this.state = 'closed';
      return;
    }
    this.connectionError(decodeErrorReply(err));
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
    this.outbound.checkBound();
  }

  onContentHeader(channel: number, classId: number, bodySize: number, properties: Buffer, source: number): void {
    this.onContent(channel, classId, bodySize, properties, undefined, source);
  }

  onBody(channel: number, body: Buffer, source: number): void {
    this.onContent(channel, 0, 0, undefined, body, source);
  }

  private onContent(channel: number, classId: number, bodySize: number, properties: Buffer | undefined, body: Buffer | undefined, source: number): void {
    if (this.state !== 'open') return;
    let ch: Channel | undefined;
    try {
      ch = this.table.contentChannel(channel, body === undefined ? 'content header' : 'content body');
      if (body !== undefined) ch?.onBody(body, source);
      else ch?.onContentHeader(classId, bodySize, properties as Buffer, source);
    } catch (err) {
      this.handleError(err, channel, pendingPublish(ch));
    }
    this.outbound.checkBound();
  }

  onHeartbeat(channel: number): void {
    // Spec 4.2.7: a heartbeat on another channel is a frame error (RabbitMQ says 505 UNEXPECTED_FRAME).
    if (channel !== 0 && this.state === 'open') {
      this.connectionError(amqpError('WARREN_FRAME_ERROR', `heartbeat frame on channel ${channel}`));
    }
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
        onRunningMethod(this, method);
    }
  }

  private onChannelMethod(channel: number, method: Method): void {
    if (method.name === 'basic.publish') this.published = true;
    this.table.onMethod(channel, method);
  }

  // ---- errors and closing -------------------------------------------------------------------

  /** An error while serving a frame (or its deferred answer): the channel or the connection closes. */
  handleError(err: unknown, channel: number, method: Method | MethodRef | undefined): void {
    const error = isAmqpError(err) ? err : this.internalError(err);
    if (method !== undefined) error.during('name' in method ? methodRef(method) : method);
    if (error.scope === 'channel' && channel !== 0) this.channelError(channel, error);
    else this.connectionError(error);
  }

  private internalError(err: unknown, during?: string): AmqpError {
    this.ctx.internalError(err, during === undefined ? { connection: this.label } : { connection: this.label, during });
    return new AmqpError('WARREN_INTERNAL_ERROR', 'internal error', undefined, { cause: err });
  }

  /** A socket or timer callback threw what nothing expected: this connection ends with 541, only it. */
  crashed(err: unknown, during?: string): void {
    const error = this.internalError(err, during);
    try {
      this.connectionError(error);
      this.finish(); // the parser may have stopped mid-stream, so close-ok could not be read
    } catch {
      this.socket.destroy();
    }
  }

  /** Closes one channel with channel.close and drops its frames until close-ok. */
  channelError(channel: number, error: AmqpError): void {
    this.table.error(channel, error);
  }

  /** The client closed a channel: clean up and confirm. */
  channelClosedByClient(channel: Channel): void {
    this.table.closedByClient(channel);
  }

  /** Sends connection.close and waits (bounded) for close-ok; `logged`: the caller's own line said why. */
  connectionError(error: AmqpError, options?: { logged?: boolean }): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    if (options?.logged !== true) {
      this.ctx.logger.warn({ event: 'connection.error', ...this.logFields(), ...errorFields(error) }, `connection closed by the broker: ${error.replyText}`);
    }
    this.explained = true;
    this.input.releaseAll(); // the close-ok must be read even from a held peer
    this.closeReason = error.replyText;
    // The parser keeps running: the client's close-ok must still be read. Until then the 'closing'
    // state drops every other frame (spec 2.2.2.2).
    this.table.closeAll();
    this.state = 'closing';
    this.sendMethod(0, closeMethod('connection.close', error));
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
    this.table.closeAll();
    this.state = 'closed';
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.outbound.end();
    // A peer that never reads must not keep the socket (and its buffers) alive.
    setTimeout(() => this.socket.destroy(), CLOSE_OK_TIMEOUT_MS).unref();
  }

  /** The socket closed: nothing more goes out; the server calls release() soon (sliced when many close at once). */
  private readonly teardown = (): void => {
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.outbound.close();
    this.state = 'closed';
    this.onClosed(this);
  };

  /** After the socket closed (server's ClosingConnections): consumers cancelled, unacked requeued, exclusive queues deleted, the close line. */
  release(): void {
    this.table.closeAll();
    const wasOpen = this.vhost !== undefined;
    if (this.principal !== undefined) this.vhost?.connectionClosed(this.principal);
    logClosed(this.ctx.logger, this.logFields(), { wasOpen, explained: this.explained, stage: this.handshake.stage, reason: this.closeReason });
  }

  // ---- output -------------------------------------------------------------------------------

  sendMethod(channel: number, method: Method): void {
    writeMethodFrame(this.outbound.writer, channel, method);
    this.outbound.commit();
  }

  /** connection.blocked / unblocked for the flow-control layer; only to clients that asked. */
  setBlocked(blocked: boolean, reason = 'low on resources'): void {
    if (blocked === this.input.has('alarm') || this.state !== 'open') return;
    if (blocked) this.input.hold('alarm');
    else this.input.release('alarm');
    if (!this.capability('connection.blocked')) return;
    this.sendMethod(0, blocked ? { name: 'connection.blocked', reason } : { name: 'connection.unblocked' });
  }

  /** This connection has sent basic.publish: flow control applies to it. */
  get hasPublished(): boolean {
    return this.published;
  }

  get isBlocked(): boolean {
    return this.input.has('alarm');
  }

  private readonly onDrain = (): void => {
    try {
      for (const ch of this.channels.values()) ch.resumeDeliveries();
    } catch (err) {
      this.crashed(err);
    }
  };

  // ---- handshake results and timers ---------------------------------------------------------

  /** Called by the handshake once connection.open succeeded. */
  opened(vhost: VirtualHost, client: ClientInfo, frameMax: number, channelMax: number, heartbeatSeconds: number): void {
    this.vhost = vhost;
    this.client = client;
    this.principal = connectionPrincipal(client.username, vhost.name, this.ctx.registry.connectionId(this.id));
    this.tuned(frameMax, channelMax, heartbeatSeconds);
    this.state = 'open';
    this.ctx.logger.info({ event: 'connection.opened', ...this.logFields(), client: client.product }, 'connection opened');
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

  /** Called by the server's ticker: heartbeats out, dead peers and stalled handshakes dropped (consumer timeouts are on the broker's clock: consumer-timeout.ts). */
  tick(now: number): void {
    if (this.state === 'closed') return;
    if (this.state === 'handshake' && now - this.openedAt > this.ctx.config.handshakeTimeout) {
      this.closeReason = `handshake not finished within ${this.ctx.config.handshakeTimeout} ms`;
      this.socket.destroy();
      return;
    }
    if (!this.heartbeat.tick(now, this.outbound, this.input.active)) {
      this.closeReason = `missed heartbeats from client, timeout: ${this.heartbeat.intervalMs / 1000}s`;
      this.socket.destroy();
    }
  }
}
