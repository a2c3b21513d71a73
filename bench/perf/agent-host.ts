/**
 * The producers and consumers that live on one thread (the main thread, or one worker), each on its own
 * connection. The runner talks to every host through the same `AgentHandle` calls, in-process or over
 * postMessage, and sums their snapshots.
 */
import { AmqpConnection, parseAmqpUrl } from './amqp-client.js';
import { Consumer, type ConsumerSpec } from './consumer.js';
import { Histogram, type HistogramData } from './histogram.js';
import { threadCpuSeconds } from './measure.js';
import { Producer, type ProducerSpec } from './producer.js';

export interface AgentSpec {
  readonly url: string;
  readonly clockBase: bigint;
  readonly producers: readonly ProducerSpec[];
  readonly consumers: readonly ConsumerSpec[];
}

export interface AgentSnapshot {
  readonly sent: number;
  readonly confirmed: number;
  readonly nacked: number;
  readonly received: number;
  readonly reorders: number;
  readonly gaps: number;
  readonly foreign: number;
  /** Latency of what was received since the previous snapshot. */
  readonly latency: HistogramData;
  readonly lastSendNs: number;
  readonly lastReceiveNs: number;
  /** This thread's CPU seconds so far, when the OS tells. */
  readonly threadCpu: number | undefined;
  readonly producerCount: number;
  readonly consumerCount: number;
  readonly producersIdle: boolean;
  readonly errors: readonly string[];
}

/** What the runner can ask of a host; the worker proxy implements the same calls. */
export interface AgentHandle {
  connectConsumers(): Promise<void>;
  connectProducers(): Promise<void>;
  startProducers(): Promise<void>;
  snapshot(): Promise<AgentSnapshot>;
  stopProducers(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export class AgentHost implements AgentHandle {
  private readonly spec: AgentSpec;
  private readonly producers: Producer[] = [];
  private readonly consumers: Consumer[] = [];
  private readonly connections: AmqpConnection[] = [];
  private readonly latency = new Histogram();

  constructor(spec: AgentSpec) {
    this.spec = spec;
  }

  async connectConsumers(): Promise<void> {
    const url = parseAmqpUrl(this.spec.url);
    for (const c of this.spec.consumers) {
      const conn = await AmqpConnection.open(url, `perf consumer ${c.index}`);
      this.connections.push(conn);
      this.consumers.push(await Consumer.open(conn, c, this.spec.clockBase));
    }
  }

  async connectProducers(): Promise<void> {
    const url = parseAmqpUrl(this.spec.url);
    for (const p of this.spec.producers) {
      const conn = await AmqpConnection.open(url, `perf producer ${p.index}`);
      this.connections.push(conn);
      this.producers.push(await Producer.open(conn, p, this.spec.clockBase));
    }
  }

  async startProducers(): Promise<void> {
    for (const p of this.producers) p.start();
  }

  async snapshot(): Promise<AgentSnapshot> {
    let sent = 0;
    let confirmed = 0;
    let nacked = 0;
    let lastSendNs = 0;
    let received = 0;
    let reorders = 0;
    let gaps = 0;
    let foreign = 0;
    let lastReceiveNs = 0;
    const errors: string[] = [];
    const h = this.latency;
    h.reset();
    for (const p of this.producers) {
      sent += p.sent;
      confirmed += p.confirmed;
      nacked += p.nacked;
      lastSendNs = Math.max(lastSendNs, p.lastProgressNs);
      if (p.error !== undefined) errors.push(p.error.message);
    }
    for (const c of this.consumers) {
      received += c.received;
      reorders += c.reorders;
      gaps += c.gaps;
      foreign += c.foreign;
      lastReceiveNs = Math.max(lastReceiveNs, c.lastReceiveNs);
      h.add(c.latency);
      c.latency.reset();
      if (c.error !== undefined) errors.push(c.error.message);
    }
    return {
      sent,
      confirmed,
      nacked,
      received,
      reorders,
      gaps,
      foreign,
      latency: h.toJSON(),
      lastSendNs,
      lastReceiveNs,
      threadCpu: threadCpuSeconds(),
      producerCount: this.producers.length,
      consumerCount: this.consumers.length,
      producersIdle: this.producers.every((p) => p.idle),
      errors: [...new Set(errors)],
    };
  }

  async stopProducers(timeoutMs: number): Promise<void> {
    await Promise.all(this.producers.map((p) => p.stop(timeoutMs)));
  }

  async close(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.stop(0)));
    await Promise.all(this.connections.map((c) => c.close()));
  }
}
