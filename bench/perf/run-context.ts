/** What the runner's phases share: the run's context, clocks, and turning the end state into a result. */
import type { AmqpConnection } from './amqp-client.js';
import type { Fleet, FleetSnapshot } from './fleet.js';
import type { Histogram } from './histogram.js';
import { clockNs, processCpuSeconds, processRssBytes, threadCpuSeconds } from './measure.js';
import type { PerfOptions } from './options.js';
import { summarizeLatency, type CpuWindow, type PerfResult } from './result.js';
import type { Topology } from './topology.js';

export type ProgressFn = (line: string) => void;

export interface RunContext {
  readonly o: PerfOptions;
  readonly control: AmqpConnection;
  readonly topology: Topology;
  readonly fleet: Fleet;
  readonly clockBase: bigint;
  readonly broker: string;
  readonly progress: ProgressFn;
}

export function cpuNow(ctx: RunContext): CpuWindow {
  const pid = ctx.o.brokerPid;
  return {
    seconds: clockNs(ctx.clockBase) / 1e9,
    process: process.cpuUsage(),
    mainThread: threadCpuSeconds(),
    brokerSeconds: pid === undefined ? undefined : processCpuSeconds(pid),
  };
}

export function rssMb(pid: number | undefined): number | undefined {
  const bytes = pid === undefined ? undefined : processRssBytes(pid);
  return bytes === undefined ? undefined : Math.round(bytes / 1048576);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Deliveries the run should see, given what was published; undefined when it cannot know. */
export function expectedDeliveries(ctx: RunContext, s: FleetSnapshot): number | undefined {
  if (ctx.o.consumers === 0 || ctx.o.producers === 0) return undefined;
  return (s.sent - s.nacked) * ctx.topology.fanout;
}

/** Waits until consumers received everything expected, or nothing arrived for --drain-timeout. */
export async function settle(ctx: RunContext, from: FleetSnapshot, expected?: number): Promise<FleetSnapshot> {
  let last = await ctx.fleet.snapshot();
  let lastProgress = Date.now();
  let received = Math.max(from.received, last.received);
  for (;;) {
    const want = expected ?? expectedDeliveries(ctx, last);
    if (want === undefined || last.received >= want || last.errors.length > 0) return last;
    if (Date.now() - lastProgress > ctx.o.drainTimeout * 1000) return last;
    await sleep(50);
    last = await ctx.fleet.snapshot();
    if (last.received > received) {
      received = last.received;
      lastProgress = Date.now();
    }
  }
}

export interface Outcome {
  readonly mode: PerfResult['mode'];
  readonly seconds: number;
  readonly settled: FleetSnapshot;
  readonly rates: PerfResult['rates'];
  readonly perSecond: PerfResult['perSecond'];
  readonly latency: Histogram;
  readonly cpu: PerfResult['cpu'];
  readonly expected?: number;
  readonly fill?: PerfResult['fill'];
  readonly drain?: PerfResult['drain'];
  readonly rssFull?: number;
}

export function finish(ctx: RunContext, r: Outcome): PerfResult {
  const s = r.settled;
  const expected = r.expected ?? expectedDeliveries(ctx, s) ?? s.received;
  const loss = Math.max(0, expected - s.received);
  const duplicates = Math.max(0, s.received - expected);
  const errors = [...s.errors];
  if (loss > 0) errors.push(`${loss} message(s) lost: expected ${expected} deliveries, received ${s.received}`);
  if (duplicates > 0) errors.push(`${duplicates} duplicate deliveries`);
  if (s.reorders > 0) errors.push(`${s.reorders} message(s) out of order`);
  const rssEnd = rssMb(ctx.o.brokerPid);
  return {
    broker: ctx.broker,
    mode: r.mode,
    options: ctx.o,
    threads: ctx.fleet.threads,
    seconds: r.seconds,
    published: s.sent,
    confirmed: s.confirmed,
    nacked: s.nacked,
    received: s.received,
    expected,
    rates: r.rates,
    perSecond: r.perSecond,
    latencyMs: summarizeLatency(r.latency),
    loss,
    duplicates,
    reorders: s.reorders,
    gaps: s.gaps,
    foreign: s.foreign,
    ...(r.fill !== undefined ? { fill: r.fill } : {}),
    ...(r.drain !== undefined ? { drain: r.drain } : {}),
    ...(ctx.o.brokerPid !== undefined ? { brokerRssMb: { ...(r.rssFull !== undefined ? { full: r.rssFull } : {}), ...(rssEnd !== undefined ? { end: rssEnd } : {}) } } : {}),
    cpu: r.cpu,
    errors,
    ok: errors.length === 0,
  };
}
