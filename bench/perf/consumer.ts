/**
 * A consumer that checks what it gets: per producer, sequence numbers must only grow (a smaller or equal
 * one is reordering or duplication; a jump is a gap), and the timestamp in the body gives the end-to-end
 * latency. The clock is read once per socket read, and manual acks go out once per read as one
 * basic.ack with multiple=true for everything received so far.
 */
import { encodeBasicAckFrame } from '../../src/protocol/methods.generated.js';
import { Writer } from '../../src/protocol/writer.js';
import type { AmqpConnection } from './amqp-client.js';
import { Histogram } from './histogram.js';
import { Body, clockNs, MAX_PRODUCERS, tagProducer, tagRunId } from './measure.js';

export interface ConsumerSpec {
  readonly index: number;
  readonly runId: number;
  readonly queue: string;
  readonly autoAck: boolean;
  /** basic.qos prefetch; 0 = none sent. */
  readonly qos: number;
}

const CHANNEL = 1;

export class Consumer {
  /** This run's messages received. */
  received = 0;
  /** A sequence number not above the last one from the same producer. */
  reorders = 0;
  /** Numbers skipped (normal when several consumers share a queue; loss when a queue has one). */
  gaps = 0;
  /** Messages of another run (left in a named queue) or too short to carry our fields. */
  foreign = 0;
  lastReceiveNs = 0;
  error: Error | undefined = undefined;
  /** Latency (ns) of messages received since the last take. */
  readonly latency = new Histogram();
  private readonly spec: ConsumerSpec;
  private readonly conn: AmqpConnection;
  private readonly clockBase: bigint;
  private readonly lastSeq = new Float64Array(MAX_PRODUCERS + 1).fill(-1);
  private readonly ackWriter = new Writer(64);
  private now = 0;
  private deliveryTag = 0;
  private ackedTag = 0;
  private firstBody = false;

  private constructor(conn: AmqpConnection, spec: ConsumerSpec, clockBase: bigint) {
    this.conn = conn;
    this.spec = spec;
    this.clockBase = clockBase;
    conn.fast = {
      beforeChunk: () => {
        this.now = clockNs(this.clockBase);
      },
      afterChunk: () => this.ack(),
      onDeliver: (_ch, tag) => {
        this.deliveryTag = tag;
      },
      onContentHeader: (_ch, bodySize) => {
        this.firstBody = true;
        if (bodySize === 0) this.foreign++;
      },
      onBody: (_ch, body) => this.onBody(body),
      onError: (err) => {
        this.error ??= err;
      },
    };
  }

  static async open(conn: AmqpConnection, spec: ConsumerSpec, clockBase: bigint): Promise<Consumer> {
    await conn.openChannel(CHANNEL);
    if (spec.qos > 0) await conn.qos(CHANNEL, spec.qos);
    const consumer = new Consumer(conn, spec, clockBase);
    await conn.consume(CHANNEL, spec.queue, `perf-${spec.index}`, spec.autoAck);
    return consumer;
  }

  private onBody(body: Buffer): void {
    if (this.firstBody) {
      this.firstBody = false;
      this.check(body);
    }
  }

  private check(body: Buffer): void {
    if (body.length < Body.minSize) {
      this.foreign++;
      return;
    }
    const tag = body.readUInt32LE(Body.producer);
    if (tagRunId(tag) !== this.spec.runId) {
      this.foreign++;
      return;
    }
    this.received++;
    this.lastReceiveNs = this.now;
    this.latency.record(this.now - body.readDoubleLE(Body.timestamp));
    const producer = tagProducer(tag);
    const seq = body.readUInt32LE(Body.seq);
    const last = this.lastSeq[producer] as number;
    if (seq <= last) {
      this.reorders++;
      return;
    }
    if (seq > last + 1) this.gaps += seq - last - 1;
    this.lastSeq[producer] = seq;
  }

  /** One multiple ack per socket read covers every delivery in it. */
  private ack(): void {
    if (this.spec.autoAck || this.deliveryTag === this.ackedTag || this.conn.error !== undefined) return;
    this.ackedTag = this.deliveryTag;
    encodeBasicAckFrame(this.ackWriter, CHANNEL, this.deliveryTag, true);
    this.conn.socket.write(this.ackWriter.take());
  }
}
