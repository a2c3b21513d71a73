/**
 * The smallest AMQP 0-9-1 client the perf tool needs, on Warren's own codec: PLAIN login, tune, open,
 * channels and the synchronous methods used to set a run up. Deliveries, publisher confirms and their
 * content frames bypass the promise machinery and go straight to a `FastPath` (the producer or consumer),
 * so a message costs a frame parse and a few field reads, nothing more.
 */
import { connect, type Socket } from 'node:net';
import { PROTOCOL_HEADER } from '../../src/protocol/constants.js';
import type { FieldTable } from '../../src/protocol/field-table.js';
import { FrameParser, type FrameSink } from '../../src/protocol/frame-parser.js';
import { encodeMethodFrame, type Method, type MethodName, type MethodOf } from '../../src/protocol/methods.generated.js';
import { Writer } from '../../src/protocol/writer.js';

export interface AmqpUrl {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly vhost: string;
}

export function parseAmqpUrl(url: string): AmqpUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url}`);
  }
  if (u.protocol !== 'amqp:') throw new Error(`only amqp:// URLs are supported, got ${u.protocol}//`);
  const path = u.pathname;
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port === '' ? 5672 : Number(u.port),
    username: u.username === '' ? 'guest' : decodeURIComponent(u.username),
    password: u.password === '' ? 'guest' : decodeURIComponent(u.password),
    // amqp://host/ and amqp://host name vhost "/"; amqp://host/%2f too; amqp://host/v names "v".
    vhost: path === '' || path === '/' ? '/' : decodeURIComponent(path.slice(1)),
  };
}

/** What a producer or consumer handles itself; everything else resolves pending calls. */
export interface FastPath {
  /** A socket chunk is about to be parsed (one clock read per chunk, not per message). */
  beforeChunk?(): void;
  /** The chunk's frames were all handled (a consumer acks here, once per read). */
  afterChunk?(): void;
  onDeliver?(channel: number, deliveryTag: number): void;
  onContentHeader?(channel: number, bodySize: number): void;
  onBody?(channel: number, body: Buffer): void;
  onConfirm?(deliveryTag: number, multiple: boolean, ack: boolean): void;
  onBlocked?(blocked: boolean): void;
  /** The connection or a channel was closed by the broker or the socket failed. */
  onError?(err: Error): void;
}

interface Pending {
  readonly channel: number;
  readonly name: MethodName;
  readonly resolve: (m: Method) => void;
  readonly reject: (err: Error) => void;
}

const CLIENT_FRAME_MAX = 131072;
const HEARTBEAT_FRAME = Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce]);

export class AmqpConnection implements FrameSink {
  readonly socket: Socket;
  frameMax = CLIENT_FRAME_MAX;
  blocked = false;
  /** From connection.start: product, version, capabilities. */
  serverProperties: FieldTable = {};
  /** Set once the broker closed the connection or the socket died. */
  error: Error | undefined = undefined;
  fast: FastPath = {};
  private readonly parser: FrameParser;
  private readonly writer = new Writer(4096);
  private pending: Pending[] = [];
  private closing = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.parser = new FrameParser(this, { frameMax: CLIENT_FRAME_MAX });
    socket.on('data', (chunk: Buffer) => {
      const fast = this.fast;
      fast.beforeChunk?.();
      const err = this.parser.push(chunk);
      if (err !== undefined) this.fail(new Error(`frame error from broker: ${err.message}`));
      fast.afterChunk?.();
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  /** Connects, logs in with PLAIN and opens the vhost. */
  static async open(url: AmqpUrl, connectionName: string): Promise<AmqpConnection> {
    const socket = connect({ host: url.host, port: url.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const conn = new AmqpConnection(socket);
    const started = conn.expect(0, 'connection.start');
    socket.write(PROTOCOL_HEADER);
    const start = await started;
    conn.serverProperties = start.serverProperties;
    const mechanisms = start.mechanisms.toString('utf8').split(' ');
    if (!mechanisms.includes('PLAIN')) throw new Error(`broker offers no PLAIN login (${mechanisms.join(' ')})`);
    const tuned = conn.expect(0, 'connection.tune');
    conn.send(0, {
      name: 'connection.start-ok',
      clientProperties: clientProperties(connectionName),
      mechanism: 'PLAIN',
      response: Buffer.from(`\0${url.username}\0${url.password}`),
      locale: 'en_US',
    });
    const tune = await tuned;
    const frameMax = tune.frameMax === 0 ? CLIENT_FRAME_MAX : Math.min(tune.frameMax, CLIENT_FRAME_MAX);
    conn.frameMax = frameMax;
    conn.parser.setFrameMax(frameMax);
    // Heartbeats off: a run is short, and a busy broker's missed heartbeat must not end it.
    conn.send(0, { name: 'connection.tune-ok', channelMax: tune.channelMax, frameMax, heartbeat: 0 });
    const opened = conn.expect(0, 'connection.open-ok');
    conn.send(0, { name: 'connection.open', virtualHost: url.vhost, capabilities: '', insist: false });
    await opened;
    return conn;
  }

  /** Writes one method frame now (setup traffic; the hot paths write their own pre-encoded bytes). */
  send(channel: number, method: Method): void {
    encodeMethodFrame(this.writer, channel, method);
    this.socket.write(this.writer.take());
  }

  /** Sends a synchronous method and waits for its reply. */
  call<N extends MethodName>(channel: number, method: Method, reply: N): Promise<MethodOf<N>> {
    const result = this.expect(channel, reply);
    this.send(channel, method);
    return result;
  }

  expect<N extends MethodName>(channel: number, name: N): Promise<MethodOf<N>> {
    if (this.error !== undefined) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.pending.push({ channel, name, resolve: resolve as (m: Method) => void, reject });
    });
  }

  async openChannel(channel: number): Promise<void> {
    await this.call(channel, { name: 'channel.open', outOfBand: '' }, 'channel.open-ok');
  }

  async declareExchange(channel: number, exchange: string, type: string, durable: boolean): Promise<void> {
    await this.call(
      channel,
      { name: 'exchange.declare', ticket: 0, exchange, type, passive: false, durable, autoDelete: false, internal: false, nowait: false, arguments: {} },
      'exchange.declare-ok',
    );
  }

  declareQueue(channel: number, queue: string, durable: boolean, args: FieldTable, passive = false): Promise<MethodOf<'queue.declare-ok'>> {
    return this.call(
      channel,
      { name: 'queue.declare', ticket: 0, queue, passive, durable, exclusive: false, autoDelete: false, nowait: false, arguments: args },
      'queue.declare-ok',
    );
  }

  /** queue.bind with nowait: thousands of bindings go out in one write, a declare-ok after them confirms all. */
  bindQueueNowait(channel: number, queue: string, exchange: string, routingKey: string): void {
    encodeMethodFrame(this.writer, channel, { name: 'queue.bind', ticket: 0, queue, exchange, routingKey, nowait: true, arguments: {} });
    if (this.writer.pos >= 65536) this.socket.write(this.writer.take());
  }

  flush(): void {
    if (this.writer.pos > 0) this.socket.write(this.writer.take());
  }

  async bindQueue(channel: number, queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.call(channel, { name: 'queue.bind', ticket: 0, queue, exchange, routingKey, nowait: false, arguments: {} }, 'queue.bind-ok');
  }

  async deleteQueue(channel: number, queue: string): Promise<number> {
    const ok = await this.call(channel, { name: 'queue.delete', ticket: 0, queue, ifUnused: false, ifEmpty: false, nowait: false }, 'queue.delete-ok');
    return ok.messageCount;
  }

  async confirmSelect(channel: number): Promise<void> {
    await this.call(channel, { name: 'confirm.select', nowait: false }, 'confirm.select-ok');
  }

  async qos(channel: number, prefetchCount: number): Promise<void> {
    await this.call(channel, { name: 'basic.qos', prefetchSize: 0, prefetchCount, global: false }, 'basic.qos-ok');
  }

  async consume(channel: number, queue: string, consumerTag: string, noAck: boolean): Promise<void> {
    await this.call(
      channel,
      { name: 'basic.consume', ticket: 0, queue, consumerTag, noLocal: false, noAck, exclusive: false, nowait: false, arguments: {} },
      'basic.consume-ok',
    );
  }

  /** connection.close, waiting (briefly) for close-ok; the socket is destroyed either way. */
  async close(): Promise<void> {
    if (this.error !== undefined || this.closing) {
      this.socket.destroy();
      return;
    }
    this.closing = true;
    const done = this.expect(0, 'connection.close-ok').catch(() => undefined);
    this.send(0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
    const timer = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([done, timer]);
    this.socket.destroy();
  }

  // ---- FrameSink ----

  onProtocolHeader(): void {}

  onMethod(channel: number, m: Method): void {
    const fast = this.fast;
    switch (m.name) {
      case 'basic.deliver':
        fast.onDeliver?.(channel, m.deliveryTag);
        return;
      case 'basic.ack':
        fast.onConfirm?.(m.deliveryTag, m.multiple, true);
        return;
      case 'basic.nack':
        fast.onConfirm?.(m.deliveryTag, m.multiple, false);
        return;
      case 'connection.blocked':
      case 'connection.unblocked':
        this.blocked = m.name === 'connection.blocked';
        fast.onBlocked?.(this.blocked);
        return;
      case 'connection.close':
        this.send(0, { name: 'connection.close-ok' });
        this.fail(new Error(`connection closed by the broker: ${m.replyCode} ${m.replyText}`));
        return;
      case 'channel.close':
        this.send(channel, { name: 'channel.close-ok' });
        this.failChannel(channel, new Error(`channel ${channel} closed by the broker: ${m.replyCode} ${m.replyText}`));
        return;
      default:
        this.resolve(channel, m);
    }
  }

  onContentHeader(channel: number, _classId: number, bodySize: number): void {
    this.fast.onContentHeader?.(channel, bodySize);
  }

  onBody(channel: number, body: Buffer): void {
    this.fast.onBody?.(channel, body);
  }

  onHeartbeat(): void {
    this.socket.write(HEARTBEAT_FRAME);
  }

  private resolve(channel: number, m: Method): void {
    const i = this.pending.findIndex((p) => p.channel === channel && p.name === m.name);
    if (i < 0) return; // e.g. basic.cancel-ok after a close: nobody waits for it
    const [p] = this.pending.splice(i, 1);
    p?.resolve(m);
  }

  private failChannel(channel: number, err: Error): void {
    const mine = this.pending.filter((p) => p.channel === channel);
    this.pending = this.pending.filter((p) => p.channel !== channel);
    for (const p of mine) p.reject(err);
    this.fast.onError?.(err);
  }

  private fail(err: Error): void {
    if (this.error !== undefined) return;
    this.error = err;
    const all = this.pending;
    this.pending = [];
    for (const p of all) p.reject(err);
    this.socket.destroy();
    if (!this.closing) this.fast.onError?.(err);
  }
}

function clientProperties(name: string): FieldTable {
  const bool = (value: boolean) => ({ type: 'bool', value }) as const;
  return {
    product: { type: 'string', value: 'warren-perf' },
    platform: { type: 'string', value: `Node.js ${process.version}` },
    connection_name: { type: 'string', value: name },
    capabilities: {
      type: 'table',
      value: {
        publisher_confirms: bool(true),
        'basic.nack': bool(true),
        consumer_cancel_notify: bool(true),
        'connection.blocked': bool(true),
        authentication_failure_close: bool(true),
      },
    },
  };
}
