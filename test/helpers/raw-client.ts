import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FRAME_END, FrameType, PROTOCOL_HEADER } from '../../src/protocol/constants.js';
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame, type BasicProperties } from '../../src/protocol/content-header.js';
import type { DecodeError } from '../../src/protocol/errors.js';
import { encodeTable, tableFromJs } from '../../src/protocol/field-table.js';
import { FrameParser, type FrameSink } from '../../src/protocol/frame-parser.js';
import { encodeMethodFrame, type Method, type MethodName, type MethodOf } from '../../src/protocol/methods.generated.js';
import { Writer } from '../../src/protocol/writer.js';

/**
 * A test client that speaks AMQP through Warren's own codec, so a test can send exactly the bytes it
 * wants (malformed ones included) and see every frame the server sends back, heartbeats too.
 */

export type RawFrame =
  | { readonly kind: 'method'; readonly channel: number; readonly method: Method; readonly at: number }
  | { readonly kind: 'header'; readonly channel: number; readonly classId: number; readonly bodySize: number; readonly at: number }
  | { readonly kind: 'body'; readonly channel: number; readonly size: number; readonly at: number }
  | { readonly kind: 'heartbeat'; readonly channel: number; readonly at: number };

export interface HandshakeOptions {
  readonly user?: string;
  readonly password?: string;
  readonly vhost?: string;
  readonly mechanism?: 'PLAIN' | 'AMQPLAIN' | (string & {});
  /** Sent in tune-ok; default 0 (no heartbeats). */
  readonly heartbeat?: number;
  /** Sent in tune-ok; default: what the server offered. */
  readonly frameMax?: number;
  readonly channelMax?: number;
  /** Client capabilities; default authentication_failure_close, consumer_cancel_notify. */
  readonly capabilities?: Readonly<Record<string, boolean>>;
}

export interface Tuned {
  readonly frameMax: number;
  readonly channelMax: number;
  readonly heartbeat: number;
}

/** The handshake ended in connection.close (or a dropped socket) instead of open-ok. */
export class HandshakeRefused extends Error {
  readonly close: MethodOf<'connection.close'> | undefined;
  constructor(close: MethodOf<'connection.close'> | undefined) {
    super(close === undefined ? 'socket closed during the handshake' : `connection.close ${close.replyCode} ${close.replyText}`);
    this.close = close;
  }
}

interface Waiter {
  readonly test: (f: RawFrame) => boolean;
  readonly resolve: (f: RawFrame) => void;
}

/** Large enough for any frame the server may send in a test (it never exceeds the negotiated frame_max). */
const CLIENT_FRAME_MAX = 1 << 24;

export class RawClient implements FrameSink {
  readonly socket: Socket;
  /** Every frame received, in order (unless keepFrames is false). */
  readonly frames: RawFrame[] = [];
  keepFrames = true;
  /** Answer the server's connection.close with close-ok, as a client should. */
  autoCloseOk = true;
  /** Every byte received, for answers that are not frames (a refused protocol header). */
  readonly chunks: Buffer[] = [];
  /** Set when the server's bytes stopped parsing (e.g. it answered with a protocol header). */
  decodeError: DecodeError | undefined;
  /** Counts of frames by kind and of methods by name, kept even when frames are not. */
  readonly counts = new Map<string, number>();
  /** Resolves when the socket closed; the time is Date.now() then. */
  readonly closed: Promise<number>;
  isClosed = false;
  private readonly parser: FrameParser;
  private readonly writer = new Writer(4096);
  private waiters: Waiter[] = [];
  private heartbeatTimer: NodeJS.Timeout | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.parser = new FrameParser(this, { frameMax: CLIENT_FRAME_MAX });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.stopHeartbeats();
        resolve(Date.now());
      });
    });
    socket.on('error', () => undefined); // ECONNRESET after a server close is expected in these tests
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      if (this.decodeError !== undefined) return;
      this.decodeError = this.parser.push(chunk);
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /**
   * A client over any byte stream (one end of an in-memory pair, for unit tests of a Connection
   * without a socket). The client uses only a Duplex's members of `socket`: writes, pause/resume,
   * end, destroy and its events.
   */
  static over(stream: Duplex): RawClient {
    return new RawClient(stream as Socket);
  }

  /** Connects and completes a handshake; see handshake(). */
  static async open(port: number, options: HandshakeOptions = {}, host = '127.0.0.1'): Promise<RawClient> {
    const client = await RawClient.connect(port, host);
    try {
      await client.handshake(options);
    } catch (err) {
      client.destroy();
      throw err;
    }
    return client;
  }

  // ---- FrameSink ----------------------------------------------------------------------------

  onProtocolHeader(): void {}

  onMethod(channel: number, method: Method): void {
    this.record({ kind: 'method', channel, method, at: Date.now() }, method.name);
    if (method.name === 'connection.close' && this.autoCloseOk) this.sendMethod(0, { name: 'connection.close-ok' });
  }

  onContentHeader(channel: number, classId: number, bodySize: number): void {
    this.record({ kind: 'header', channel, classId, bodySize, at: Date.now() }, 'header');
  }

  onBody(channel: number, body: Buffer): void {
    this.record({ kind: 'body', channel, size: body.length, at: Date.now() }, 'body');
  }

  onHeartbeat(channel: number): void {
    this.record({ kind: 'heartbeat', channel, at: Date.now() }, 'heartbeat');
  }

  private record(frame: RawFrame, key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.keepFrames) this.frames.push(frame);
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.test(frame)) w.resolve(frame);
      else still.push(w);
    }
    this.waiters = still;
  }

  count(key: MethodName | 'header' | 'body' | 'heartbeat'): number {
    return this.counts.get(key) ?? 0;
  }

  /** All bytes received so far. */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  // ---- waiting ------------------------------------------------------------------------------

  /**
   * The first frame (already received, from index `from` on, or still to come) that passes `test`.
   * Rejects after timeoutMs, or when the socket closes before one arrives.
   */
  waitFor(test: (f: RawFrame) => boolean, what: string, timeoutMs = 5000, from = 0): Promise<RawFrame> {
    for (let i = from; i < this.frames.length; i++) {
      const f = this.frames[i]!;
      if (test(f)) return Promise.resolve(f);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.describe()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        test,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      this.waiters.push(waiter);
      void this.closed.then(() => {
        // Let frames from the socket's last chunk be recorded first.
        setImmediate(() => {
          if (!this.waiters.includes(waiter)) return;
          this.waiters = this.waiters.filter((w) => w !== waiter);
          clearTimeout(timer);
          reject(new Error(`socket closed while waiting for ${what}; got ${this.describe()}`));
        });
      });
    });
  }

  async waitMethod<N extends MethodName>(name: N, channel?: number, timeoutMs = 5000): Promise<MethodOf<N>> {
    const f = await this.waitFor(
      (x) => x.kind === 'method' && x.method.name === name && (channel === undefined || x.channel === channel),
      `${name}${channel === undefined ? '' : ` on channel ${channel}`}`,
      timeoutMs,
    );
    return (f as Extract<RawFrame, { kind: 'method' }>).method as MethodOf<N>;
  }

  /** The server's connection.close. */
  waitConnectionClose(timeoutMs = 5000): Promise<MethodOf<'connection.close'>> {
    return this.waitMethod('connection.close', 0, timeoutMs);
  }

  /** Resolves with the time the socket closed; rejects after timeoutMs. */
  waitSocketClose(timeoutMs = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms; got ${this.describe()}`)), timeoutMs);
      void this.closed.then((at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** A short summary of what arrived, for failure messages. */
  describe(): string {
    const last = this.frames.slice(-6).map((f) => (f.kind === 'method' ? `${f.channel}:${f.method.name}` : `${f.channel}:${f.kind}`));
    return `[${last.join(', ')}]${this.decodeError === undefined ? '' : ` decode error: ${this.decodeError.message}`}${this.isClosed ? ' (socket closed)' : ''}`;
  }

  // ---- sending ------------------------------------------------------------------------------

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  sendProtocolHeader(): void {
    this.send(PROTOCOL_HEADER);
  }

  sendMethod(channel: number, method: Method): void {
    encodeMethodFrame(this.writer, channel, method);
    this.send(this.writer.take());
  }

  sendHeader(channel: number, bodySize: number, properties: BasicProperties = {}, classId = 60): void {
    writeHeaderFrame(this.writer, channel, classId, bodySize, encodePropertiesBuffer(properties));
    this.send(this.writer.take());
  }

  sendBody(channel: number, body: Buffer, frameMax = CLIENT_FRAME_MAX): void {
    writeBodyFrames(this.writer, channel, body, frameMax);
    this.send(this.writer.take());
  }

  sendHeartbeat(channel = 0): void {
    this.send(rawFrame(FrameType.Heartbeat, channel, Buffer.alloc(0)));
  }

  /** basic.publish + header + body in one write. */
  publish(channel: number, exchange: string, routingKey: string, body: Buffer, frameMax = CLIENT_FRAME_MAX): void {
    encodeMethodFrame(this.writer, channel, { name: 'basic.publish', ticket: 0, exchange, routingKey, mandatory: false, immediate: false });
    writeHeaderFrame(this.writer, channel, 60, body.length, encodePropertiesBuffer({}));
    writeBodyFrames(this.writer, channel, body, frameMax);
    this.send(this.writer.take());
  }

  /** Sends a heartbeat every intervalMs until the socket closes. */
  startHeartbeats(intervalMs: number): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), intervalMs);
  }

  stopHeartbeats(): void {
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  /** Stop reading from the socket: the kernel buffers fill and the server's writes back up. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.stopHeartbeats();
    this.socket.destroy();
  }

  // ---- the handshake ------------------------------------------------------------------------

  /** Header, start-ok, tune-ok, open; resolves with the negotiated values, rejects with HandshakeRefused. */
  async handshake(options: HandshakeOptions = {}): Promise<Tuned> {
    // Each step waits for the expected method or connection.close, whichever the server sends.
    const next = async <N extends MethodName>(name: N): Promise<MethodOf<N>> => {
      let f: RawFrame;
      try {
        f = await this.waitFor(
          (x) => x.kind === 'method' && x.channel === 0 && (x.method.name === name || x.method.name === 'connection.close'),
          name,
        );
      } catch (err) {
        if (this.isClosed) throw new HandshakeRefused(undefined);
        throw err;
      }
      const method = (f as Extract<RawFrame, { kind: 'method' }>).method;
      if (method.name === 'connection.close' && name !== 'connection.close') throw new HandshakeRefused(method);
      return method as MethodOf<N>;
    };
    this.sendProtocolHeader();
    await next('connection.start');
    const user = options.user ?? 'guest';
    const password = options.password ?? 'guest';
    const mechanism = options.mechanism ?? 'PLAIN';
    const response =
      mechanism === 'AMQPLAIN'
        ? encodeTable(tableFromJs({ LOGIN: user, PASSWORD: password })).subarray(4)
        : Buffer.from(`\0${user}\0${password}`);
    const capabilities = options.capabilities ?? { authentication_failure_close: true, consumer_cancel_notify: true };
    this.sendMethod(0, {
      name: 'connection.start-ok',
      clientProperties: tableFromJs({ product: 'warren raw test client', capabilities }),
      mechanism,
      response,
      locale: 'en_US',
    });
    const tune = await next('connection.tune');
    const tuned: Tuned = {
      frameMax: options.frameMax ?? tune.frameMax,
      channelMax: options.channelMax ?? tune.channelMax,
      heartbeat: options.heartbeat ?? 0,
    };
    this.sendMethod(0, { name: 'connection.tune-ok', ...tuned });
    this.sendMethod(0, { name: 'connection.open', virtualHost: options.vhost ?? '/', capabilities: '', insist: false });
    await next('connection.open-ok');
    return tuned;
  }

  async openChannel(channel: number): Promise<void> {
    this.sendMethod(channel, { name: 'channel.open', outOfBand: '' });
    await this.waitMethod('channel.open-ok', channel);
  }

  /** Sends connection.close and waits for close-ok and the socket to close. */
  async close(): Promise<void> {
    this.sendMethod(0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
    await this.waitMethod('connection.close-ok', 0);
    this.socket.end();
    await this.waitSocketClose();
  }
}

/** One frame's bytes, end octet included (pass `end` to forge a bad one). */
export function rawFrame(type: number, channel: number, payload: Buffer, end = FRAME_END): Buffer {
  const out = Buffer.alloc(8 + payload.length);
  out[0] = type;
  out.writeUInt16BE(channel, 1);
  out.writeUInt32BE(payload.length, 3);
  payload.copy(out, 7);
  out[7 + payload.length] = end;
  return out;
}

/** A method frame's bytes built from raw class/method ids and argument bytes. */
export function rawMethodFrame(channel: number, classId: number, methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  const payload = Buffer.alloc(4 + args.length);
  payload.writeUInt16BE(classId, 0);
  payload.writeUInt16BE(methodId, 2);
  args.copy(payload, 4);
  return rawFrame(FrameType.Method, channel, payload);
}
