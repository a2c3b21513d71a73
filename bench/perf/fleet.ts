/**
 * All the run's agent hosts as one: where producers and consumers go (threads), and one summed snapshot.
 *
 * Threads: `--workers 0` keeps everything on the main thread; N >= 1 starts N workers, producers and
 * consumers on separate workers when N >= 2 (split in proportion to their counts). 'auto' picks
 * DEFAULT_AUTO_WORKERS for runs with more than one producer or consumer, the main thread otherwise.
 */
import { AgentHost, type AgentHandle, type AgentSnapshot, type AgentSpec } from './agent-host.js';
import type { ConsumerSpec } from './consumer.js';
import { Histogram } from './histogram.js';
import type { ProducerSpec } from './producer.js';
import { WorkerAgent } from './worker-agent.js';

/**
 * Measured on the 2-core reference machine with the broker on the same machine (README, Performance):
 * a producer thread and a consumer thread beat one thread that does both, because the tool's work
 * then overlaps with itself; more threads than that only add contention with the broker.
 */
export const DEFAULT_AUTO_WORKERS = 2;

export interface Group {
  readonly producers: ProducerSpec[];
  readonly consumers: ConsumerSpec[];
}

export function resolveWorkers(workers: 'auto' | number, producers: number, consumers: number): number {
  if (workers !== 'auto') return workers;
  return producers + consumers > 1 ? DEFAULT_AUTO_WORKERS : 0;
}

/** Splits producers and consumers over max(1, threads) groups. */
export function planGroups(threads: number, producers: ProducerSpec[], consumers: ConsumerSpec[]): Group[] {
  const n = Math.max(1, threads);
  if (n === 1 || producers.length === 0 || consumers.length === 0) {
    const groups: Group[] = Array.from({ length: n }, () => ({ producers: [], consumers: [] }));
    producers.forEach((p, i) => groups[i % n]?.producers.push(p));
    consumers.forEach((c, i) => groups[i % n]?.consumers.push(c));
    return groups.filter((g) => g.producers.length + g.consumers.length > 0);
  }
  const share = producers.length / (producers.length + consumers.length);
  const pThreads = Math.min(n - 1, Math.max(1, Math.round(n * share)));
  const cThreads = n - pThreads;
  const groups: Group[] = Array.from({ length: n }, () => ({ producers: [], consumers: [] }));
  producers.forEach((p, i) => groups[i % pThreads]?.producers.push(p));
  consumers.forEach((c, i) => groups[pThreads + (i % cThreads)]?.consumers.push(c));
  return groups.filter((g) => g.producers.length + g.consumers.length > 0);
}

export interface ThreadSnapshot {
  readonly cpu: number | undefined;
  readonly producers: number;
  readonly consumers: number;
  readonly sent: number;
  readonly received: number;
}

export interface FleetSnapshot {
  sent: number;
  confirmed: number;
  nacked: number;
  received: number;
  reorders: number;
  gaps: number;
  foreign: number;
  lastSendNs: number;
  lastReceiveNs: number;
  producersIdle: boolean;
  errors: string[];
  /** Latency since the previous snapshot, all hosts merged. */
  latency: Histogram;
  /** Per host: CPU seconds so far and what it runs. */
  threads: ThreadSnapshot[];
}

export class Fleet {
  readonly handles: AgentHandle[];
  readonly threads: number;

  constructor(url: string, clockBase: bigint, threads: number, producers: ProducerSpec[], consumers: ConsumerSpec[]) {
    this.threads = threads;
    this.handles = planGroups(threads, producers, consumers).map((g) => {
      const spec: AgentSpec = { url, clockBase, producers: g.producers, consumers: g.consumers };
      return threads === 0 ? new AgentHost(spec) : new WorkerAgent(spec);
    });
  }

  async connectConsumers(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.connectConsumers()));
  }

  async connectProducers(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.connectProducers()));
  }

  async startProducers(): Promise<void> {
    await Promise.all(this.handles.map((h) => h.startProducers()));
  }

  async stopProducers(timeoutMs: number): Promise<void> {
    await Promise.all(this.handles.map((h) => h.stopProducers(timeoutMs)));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.handles.map((h) => h.close()));
  }

  async snapshot(): Promise<FleetSnapshot> {
    const parts = await Promise.all(this.handles.map((h) => h.snapshot()));
    return sumSnapshots(parts);
  }
}

export function sumSnapshots(parts: readonly AgentSnapshot[]): FleetSnapshot {
  const s: FleetSnapshot = {
    sent: 0,
    confirmed: 0,
    nacked: 0,
    received: 0,
    reorders: 0,
    gaps: 0,
    foreign: 0,
    lastSendNs: 0,
    lastReceiveNs: 0,
    producersIdle: true,
    errors: [],
    latency: new Histogram(),
    threads: [],
  };
  for (const p of parts) {
    s.sent += p.sent;
    s.confirmed += p.confirmed;
    s.nacked += p.nacked;
    s.received += p.received;
    s.reorders += p.reorders;
    s.gaps += p.gaps;
    s.foreign += p.foreign;
    s.lastSendNs = Math.max(s.lastSendNs, p.lastSendNs);
    s.lastReceiveNs = Math.max(s.lastReceiveNs, p.lastReceiveNs);
    s.producersIdle &&= p.producersIdle;
    for (const e of p.errors) if (!s.errors.includes(e)) s.errors.push(e);
    s.latency.add(Histogram.from(p.latency));
    s.threads.push({ cpu: p.threadCpu, producers: p.producerCount, consumers: p.consumerCount, sent: p.sent, received: p.received });
  }
  return s;
}
