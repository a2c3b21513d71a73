/**
 * A publisher that is cheap per message. Everything that repeats is encoded once: the basic.publish
 * frame for each routing key, the content-header frame and the body frame. For a fixed routing key a
 * batch buffer is filled with copies of that message once, and sending a batch only writes the sequence
 * number and the timestamp into each copy (one clock read per batch, since the batch goes out in one
 * socket write). A few batch buffers rotate; one is reused only after its write completed.
 */
import { ClassId } from '../../src/protocol/constants.js';
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame } from '../../src/protocol/content-header.js';
import { encodeBasicPublishFrame } from '../../src/protocol/methods.generated.js';
import { Writer } from '../../src/protocol/writer.js';
import type { AmqpConnection } from './amqp-client.js';
import { Body, clockNs, producerTag } from './measure.js';

export interface ProducerSpec {
  readonly index: number;
  readonly runId: number;
  readonly exchange: string;
  /** One key, or the keys to draw from at random. */
  readonly keys: readonly string[];
  readonly size: number;
  readonly persistent: boolean;
  /** Confirms in flight; 0 = no confirm.select. */
  readonly confirm: number;
  /** This producer's share of the rate limit, msg/s; 0 = unlimited. */
  readonly rate: number;
  /** Stop after this many messages; 0 = until stop(). */
  readonly limit: number;
}

/** Bytes per socket write: big enough to amortise the syscall, small enough to keep latency honest. */
const BATCH_BYTES = 64 * 1024;
const MAX_BATCH = 1000;
/** Batch buffers per producer: how many writes may sit in the socket's queue. */
const POOL = 4;
const CHANNEL = 1;

export class Producer {
  sent = 0;
  confirmed = 0;
  nacked = 0;
  /** Clock (ns) of the last send or confirm: the end of a fill. */
  lastProgressNs = 0;
  error: Error | undefined = undefined;
  private readonly spec: ProducerSpec;
  private readonly conn: AmqpConnection;
  private readonly clockBase: bigint;
  /** Pre-encoded basic.publish frames, one per key. */
  private readonly methods: Buffer[];
  /** Content-header frame + body frame(s) of one message. */
  private readonly content: Buffer;
  /** Offset of the body's first byte within `content`. */
  private readonly bodyOffset: number;
  private readonly fixedKey: boolean;
  private readonly batch: number;
  private readonly free: Buffer[] = [];
  private readonly inUse: Buffer[] = [];
  private running = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private startedNs = 0;
  /** Clock at the socket read being parsed. */
  private chunkNs = 0;
  private rng = 0x9e3779b9;
  // Confirm bookkeeping: tags are 1-based in publish order; a ring marks singles settled above `lowest`.
  private lowest = 1;
  private readonly ring: Uint8Array;
  private readonly mask: number;
  private idleWaiters: (() => void)[] = [];

  constructor(conn: AmqpConnection, spec: ProducerSpec, clockBase: bigint) {
    this.conn = conn;
    this.spec = spec;
    this.clockBase = clockBase;
    this.rng = (this.rng ^ (spec.index * 0x85ebca6b)) >>> 0 || 1;
    const w = new Writer(1024);
    this.methods = spec.keys.map((key) => {
      encodeBasicPublishFrame(w, CHANNEL, 0, spec.exchange, key, false, false);
      return w.take();
    });
    const props = encodePropertiesBuffer({ deliveryMode: spec.persistent ? 2 : 1 });
    writeHeaderFrame(w, CHANNEL, ClassId.basic, spec.size, props);
    this.bodyOffset = w.pos + 7;
    const body = Buffer.alloc(spec.size);
    body.writeUInt32LE(producerTag(spec.runId, spec.index), Body.producer);
    writeBodyFrames(w, CHANNEL, body, conn.frameMax);
    this.content = w.take();
    this.fixedKey = this.methods.length === 1;
    const longest = Math.max(...this.methods.map((m) => m.length)) + this.content.length;
    this.batch = Math.max(1, Math.min(MAX_BATCH, Math.floor(BATCH_BYTES / longest)));
    for (let i = 0; i < POOL; i++) {
      const buf = Buffer.allocUnsafe(this.batch * longest);
      if (this.fixedKey) this.prefill(buf);
      this.free.push(buf);
    }
    let size = 2;
    while (size <= spec.confirm) size <<= 1;
    this.ring = new Uint8Array(size);
    this.mask = size - 1;
    conn.fast = {
      beforeChunk: () => {
        this.chunkNs = clockNs(this.clockBase);
      },
      onConfirm: (tag, multiple, ack) => this.onConfirm(tag, multiple, ack),
      onBlocked: (blocked) => {
        if (!blocked) this.schedule();
      },
      onError: (err) => {
        this.error ??= err;
        this.running = false;
        this.wakeIdle();
      },
    };
  }

  static async open(conn: AmqpConnection, spec: ProducerSpec, clockBase: bigint): Promise<Producer> {
    await conn.openChannel(CHANNEL);
    if (spec.confirm > 0) await conn.confirmSelect(CHANNEL);
    return new Producer(conn, spec, clockBase);
  }

  start(): void {
    this.running = true;
    this.startedNs = clockNs(this.clockBase);
    this.schedule();
  }

  get outstanding(): number {
    return this.sent - this.confirmed - this.nacked;
  }

  /** Every message sent and, with confirms, settled (or the connection failed). */
  get idle(): boolean {
    const limited = this.spec.limit > 0 && this.sent >= this.spec.limit;
    return this.error !== undefined || ((limited || !this.running) && this.settled());
  }

  /** Stops publishing; resolves once outstanding confirms came back and writes completed, or on timeout. */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.whenIdle(timeoutMs);
  }

  /** Resolves when `idle` holds, or after timeoutMs. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private settled(): boolean {
    return this.inUse.length === 0 && (this.spec.confirm === 0 || this.outstanding === 0);
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0 || !this.idle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private schedule(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    setImmediate(this.pump);
  }

  /** Writes up to POOL batches, then yields so confirms and deliveries get read. */
  private readonly pump = (): void => {
    this.scheduled = false;
    const spec = this.spec;
    for (let writes = 0; writes < POOL && this.running; writes++) {
      if (this.conn.blocked || this.error !== undefined) return;
      let n = this.batch;
      if (spec.confirm > 0) n = Math.min(n, spec.confirm - this.outstanding);
      if (spec.limit > 0) n = Math.min(n, spec.limit - this.sent);
      if (spec.rate > 0 && n > 0) n = Math.min(n, this.rateAllowance());
      if (n <= 0) return; // resumed by a confirm or the rate timer
      const buf = this.free.pop();
      if (buf === undefined) return; // resumed when a write completes
      const len = this.fixedKey ? this.stampFixed(buf, n) : this.fillRandom(buf, n);
      this.inUse.push(buf);
      this.sent += n;
      this.conn.socket.write(len === buf.length ? buf : buf.subarray(0, len), this.written);
    }
    if (this.running && this.free.length > 0) this.schedule();
  };

  private readonly written = (err?: Error | null): void => {
    const buf = this.inUse.shift();
    if (buf !== undefined) this.free.push(buf);
    if (err != null) this.error ??= err;
    if (this.spec.confirm === 0) this.lastProgressNs = clockNs(this.clockBase);
    this.schedule();
    this.wakeIdle();
  };

  /** Messages the rate limit allows now; arms a timer for the next one when none. */
  private rateAllowance(): number {
    const elapsed = (clockNs(this.clockBase) - this.startedNs) / 1e9;
    const allowed = Math.floor(elapsed * this.spec.rate) + 1 - this.sent;
    if (allowed > 0) return allowed;
    if (this.timer === undefined) {
      const waitMs = Math.max(1, Math.ceil(((this.sent + 1) / this.spec.rate - elapsed) * 1000));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, waitMs);
    }
    return 0;
  }

  private prefill(buf: Buffer): void {
    const method = this.methods[0] as Buffer;
    const stride = method.length + this.content.length;
    for (let i = 0; i < this.batch; i++) {
      method.copy(buf, i * stride);
      this.content.copy(buf, i * stride + method.length);
    }
  }

  /** Fixed key: only sequence numbers and the timestamp change. Returns the bytes to write. */
  private stampFixed(buf: Buffer, n: number): number {
    const stride = (this.methods[0] as Buffer).length + this.content.length;
    const first = (this.methods[0] as Buffer).length + this.bodyOffset;
    const now = clockNs(this.clockBase);
    let seq = this.sent;
    for (let i = 0, at = first; i < n; i++, at += stride) {
      buf.writeDoubleLE(now, at + Body.timestamp);
      buf.writeUInt32LE(seq++ >>> 0, at + Body.seq);
    }
    return n * stride;
  }

  /** Random keys: the publish frame varies in length, so each message is copied in. */
  private fillRandom(buf: Buffer, n: number): number {
    const methods = this.methods;
    const content = this.content;
    const now = clockNs(this.clockBase);
    let seq = this.sent;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const method = methods[this.nextRandom() % methods.length] as Buffer;
      method.copy(buf, at);
      at += method.length;
      content.copy(buf, at);
      buf.writeDoubleLE(now, at + this.bodyOffset + Body.timestamp);
      buf.writeUInt32LE(seq++ >>> 0, at + this.bodyOffset + Body.seq);
      at += content.length;
    }
    return at;
  }

  /** xorshift32: a key per message without Math.random's cost. */
  private nextRandom(): number {
    let x = this.rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rng = x >>> 0;
    return this.rng;
  }

  private onConfirm(tag: number, multiple: boolean, ack: boolean): void {
    const ring = this.ring;
    const mask = this.mask;
    if (multiple) {
      for (let t = this.lowest; t <= tag; t++) {
        const i = t & mask;
        if (ring[i] === 0) this.count(ack);
        else ring[i] = 0;
      }
      if (tag >= this.lowest) this.lowest = tag + 1;
    } else if (tag === this.lowest) {
      this.count(ack);
      this.lowest++;
      while (ring[this.lowest & mask] === 1) {
        ring[this.lowest & mask] = 0;
        this.lowest++;
      }
    } else if (tag > this.lowest) {
      ring[tag & mask] = 1;
      this.count(ack);
    }
    this.lastProgressNs = this.chunkNs;
    this.schedule();
    this.wakeIdle();
  }

  private count(ack: boolean): void {
    if (ack) this.confirmed++;
    else this.nacked++;
  }
}
