import { FrameType, PROTOCOL_HEADER } from '../../src/protocol/constants.js';
import type { Method, MethodName } from '../../src/protocol/methods.generated.js';
import {
  bodyFrame,
  frame,
  headerFrame,
  methodFrame,
  methodFrameRaw,
  methodFrameWithTable,
  rawTableBytes,
  wireShortstr,
  type RawTable,
  type WireString,
} from './wire.js';
import { Writer } from '../../src/protocol/writer.js';

/**
 * A client session as the fuzzer replays it: frames to send (each its own step, so mutations can work
 * frame by frame), pauses, and waits for the server's answers (so a nack follows its delivery, or a
 * consumer starts after a TTL ran out).
 */
export type Step =
  | { readonly kind: 'send'; readonly bytes: Buffer }
  | { readonly kind: 'sleep'; readonly ms: number }
  /** Wait until the server has sent `count` of `method` in all (or the socket closed, or timeoutMs). */
  | { readonly kind: 'await'; readonly method: MethodName; readonly count: number; readonly timeoutMs: number; readonly uncapped?: boolean };

export interface SerializedStep {
  readonly send?: string;
  readonly sleep?: number;
  readonly await?: { readonly method: MethodName; readonly count: number; readonly timeoutMs: number; readonly uncapped?: boolean };
}

export function serializeSteps(steps: readonly Step[]): SerializedStep[] {
  return steps.map((s) =>
    s.kind === 'send' ? { send: s.bytes.toString('hex') } : s.kind === 'sleep' ? { sleep: s.ms } : { await: { method: s.method, count: s.count, timeoutMs: s.timeoutMs, ...(s.uncapped === true ? { uncapped: true } : {}) } },
  );
}

export function deserializeSteps(steps: readonly SerializedStep[]): Step[] {
  return steps.map((s) => {
    if (s.send !== undefined) return { kind: 'send', bytes: Buffer.from(s.send, 'hex') };
    if (s.sleep !== undefined) return { kind: 'sleep', ms: s.sleep };
    if (s.await !== undefined) return { kind: 'await', ...s.await };
    throw new Error(`unknown step ${JSON.stringify(s)}`);
  });
}

function raw(s: WireString | undefined): Buffer | undefined {
  return s === undefined || typeof s === 'string' ? undefined : s;
}

function rawFields(fields: Readonly<Record<string, WireString | undefined>>): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(fields)) {
    const b = raw(v);
    if (b !== undefined) out[k] = b;
  }
  return out;
}

function str(s: WireString): string {
  return typeof s === 'string' ? s : '';
}

export interface QueueDeclare {
  readonly name: WireString;
  readonly args?: RawTable;
  readonly exclusive?: boolean;
  readonly durable?: boolean;
  readonly autoDelete?: boolean;
  readonly passive?: boolean;
}

/** Builds a session step by step with the codec; every helper appends frames to `steps`. */
export class SessionBuilder {
  readonly steps: Step[] = [];

  send(bytes: Buffer): this {
    this.steps.push({ kind: 'send', bytes });
    return this;
  }

  sleep(ms: number): this {
    this.steps.push({ kind: 'sleep', ms });
    return this;
  }

  await(method: MethodName, count = 1, timeoutMs = 1000): this {
    this.steps.push({ kind: 'await', method, count, timeoutMs });
    return this;
  }

  method(channel: number, m: Method): this {
    return this.send(methodFrame(channel, m));
  }

  /** Protocol header, start-ok (PLAIN guest/guest unless told), tune-ok, open: pipelined, as a fast client does. */
  handshake(opts: { clientProperties?: RawTable; mechanism?: WireString; response?: Buffer; vhost?: WireString; frameMax?: number; heartbeat?: number; channelMax?: number } = {}): this {
    this.send(PROTOCOL_HEADER);
    const w = new Writer(512);
    w.u16(10);
    w.u16(11);
    const props: RawTable = opts.clientProperties ?? [
      ['product', { tag: 'S', v: 'warren fuzzer' }],
      ['capabilities', { tag: 'F', v: [['authentication_failure_close', { tag: 't', v: 1 }], ['consumer_cancel_notify', { tag: 't', v: 1 }], ['publisher_confirms', { tag: 't', v: 1 }]] }],
    ];
    w.bytes(rawTableBytes(props));
    wireShortstr(w, opts.mechanism ?? 'PLAIN');
    const response = opts.response ?? Buffer.from('\0guest\0guest');
    w.u32(response.length);
    w.bytes(response);
    wireShortstr(w, 'en_US');
    this.send(frame(FrameType.Method, 0, w.take()));
    this.method(0, { name: 'connection.tune-ok', channelMax: opts.channelMax ?? 2047, frameMax: opts.frameMax ?? 131072, heartbeat: opts.heartbeat ?? 0 });
    const vhost = opts.vhost ?? '/';
    this.send(methodFrameRaw(0, { name: 'connection.open', virtualHost: str(vhost), capabilities: '', insist: false }, rawFields({ virtualHost: vhost })));
    return this;
  }

  openChannel(channel: number): this {
    return this.method(channel, { name: 'channel.open', outOfBand: '' });
  }

  declareQueue(channel: number, q: QueueDeclare): this {
    const m: Method = {
      name: 'queue.declare', ticket: 0, queue: str(q.name), passive: q.passive ?? false, durable: q.durable ?? false,
      exclusive: q.exclusive ?? false, autoDelete: q.autoDelete ?? false, nowait: false, arguments: {},
    };
    return this.send(methodFrameWithTable(channel, m, rawTableBytes(q.args ?? []), rawFields({ queue: q.name })));
  }

  declareExchange(channel: number, name: WireString, type: WireString, args: RawTable = [], opts: { durable?: boolean; autoDelete?: boolean; internal?: boolean } = {}): this {
    const m: Method = {
      name: 'exchange.declare', ticket: 0, exchange: str(name), type: str(type), passive: false, durable: opts.durable ?? false,
      autoDelete: opts.autoDelete ?? false, internal: opts.internal ?? false, nowait: false, arguments: {},
    };
    return this.send(methodFrameWithTable(channel, m, rawTableBytes(args), rawFields({ exchange: name, type })));
  }

  bindQueue(channel: number, queue: WireString, exchange: WireString, routingKey: WireString, args: RawTable = []): this {
    const m: Method = { name: 'queue.bind', ticket: 0, queue: str(queue), exchange: str(exchange), routingKey: str(routingKey), nowait: false, arguments: {} };
    return this.send(methodFrameWithTable(channel, m, rawTableBytes(args), rawFields({ queue, exchange, routingKey })));
  }

  bindExchange(channel: number, destination: WireString, source: WireString, routingKey: WireString, args: RawTable = []): this {
    const m: Method = { name: 'exchange.bind', ticket: 0, destination: str(destination), source: str(source), routingKey: str(routingKey), nowait: false, arguments: {} };
    return this.send(methodFrameWithTable(channel, m, rawTableBytes(args), rawFields({ destination, source, routingKey })));
  }

  consume(channel: number, queue: WireString, tag: WireString, opts: { noAck?: boolean; exclusive?: boolean; args?: RawTable } = {}): this {
    const m: Method = { name: 'basic.consume', ticket: 0, queue: str(queue), consumerTag: str(tag), noLocal: false, noAck: opts.noAck ?? false, exclusive: opts.exclusive ?? false, nowait: false, arguments: {} };
    return this.send(methodFrameWithTable(channel, m, rawTableBytes(opts.args ?? []), rawFields({ queue, consumerTag: tag })));
  }

  /** basic.publish + content header (any property bytes) + body frames. */
  publish(channel: number, exchange: WireString, routingKey: WireString, props: Buffer, body: Buffer, opts: { mandatory?: boolean; bodySize?: number; frameMax?: number } = {}): this {
    const m: Method = { name: 'basic.publish', ticket: 0, exchange: str(exchange), routingKey: str(routingKey), mandatory: opts.mandatory ?? false, immediate: false };
    this.send(methodFrameRaw(channel, m, rawFields({ exchange, routingKey })));
    this.send(headerFrame(channel, opts.bodySize ?? body.length, props));
    const max = (opts.frameMax ?? 131072) - 8;
    for (let off = 0; off < body.length; off += max) this.send(bodyFrame(channel, body.subarray(off, off + max)));
    return this;
  }

  get(channel: number, queue: WireString, noAck = false): this {
    return this.send(methodFrameRaw(channel, { name: 'basic.get', ticket: 0, queue: str(queue), noAck }, rawFields({ queue })));
  }

  /** connection.close, then the wait for close-ok: a loaded broker may take a while, and its answer ends the case. */
  close(): this {
    this.method(0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 });
    this.steps.push({ kind: 'await', method: 'connection.close-ok', count: 1, timeoutMs: 2000, uncapped: true });
    return this;
  }
}
