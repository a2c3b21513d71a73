/**
 * One perf run: topology on a control connection, consumers first, then producers; a snapshot every
 * second for the progress line; after -z seconds producers stop, outstanding confirms are awaited and
 * consumers get up to --drain-timeout of silence to receive the rest, so loss is counted on a settled
 * system, not on messages still in flight.
 */
import { AmqpConnection, parseAmqpUrl } from './amqp-client.js';
import type { ConsumerSpec } from './consumer.js';
import { runFill } from './fill-drain.js';
import { Fleet, resolveWorkers } from './fleet.js';
import { Histogram } from './histogram.js';
import { clockNs, newRunId } from './measure.js';
import type { PerfOptions } from './options.js';
import type { ProducerSpec } from './producer.js';
import { progressLine } from './report.js';
import { brokerName, cpuReport, type PerfResult } from './result.js';
import { cpuNow, finish, settle, sleep, type ProgressFn, type RunContext } from './run-context.js';
import { declareTopology, deleteTopology } from './topology.js';

const STOP_TIMEOUT_MS = 5000;

export async function runPerf(o: PerfOptions, progress: ProgressFn = () => {}): Promise<PerfResult> {
  const runId = newRunId();
  const clockBase = process.hrtime.bigint();
  const control = await AmqpConnection.open(parseAmqpUrl(o.url), 'perf control');
  try {
    await control.openChannel(1);
    const topology = await declareTopology(control, o, runId);
    const producers: ProducerSpec[] = Array.from({ length: o.producers }, (_, index) => ({
      index,
      runId,
      exchange: topology.exchange,
      keys: topology.publishKeys,
      size: o.size,
      persistent: o.persistent,
      confirm: o.confirm,
      rate: o.rate > 0 ? o.rate / o.producers : 0,
      limit: o.fill > 0 ? Math.floor(o.fill / o.producers) + (index < o.fill % o.producers ? 1 : 0) : 0,
    }));
    const consumers: ConsumerSpec[] = Array.from({ length: o.consumers }, (_, index) => ({
      index,
      runId,
      queue: topology.queues[index % topology.queues.length] as string,
      autoAck: o.autoAck,
      qos: o.qos,
    }));
    const threads = resolveWorkers(o.workers, producers.length, consumers.length);
    const fleet = new Fleet(o.url, clockBase, threads, producers, consumers);
    const ctx: RunContext = { o, control, topology, fleet, clockBase, broker: brokerName(control.serverProperties), progress };
    try {
      return o.fill > 0 || o.drain ? await runFill(ctx) : await runSteady(ctx);
    } finally {
      await fleet.close();
      await deleteTopology(control, topology).catch(() => undefined);
    }
  } finally {
    await control.close();
  }
}

async function runSteady(ctx: RunContext): Promise<PerfResult> {
  const { o, fleet, clockBase } = ctx;
  await fleet.connectConsumers();
  await fleet.connectProducers();
  const start = await fleet.snapshot();
  const cpuStart = cpuNow(ctx);
  const t0 = clockNs(clockBase);
  await fleet.startProducers();
  const window = new Histogram();
  const perSecond = { published: [] as number[], received: [] as number[] };
  let prev = start;
  let prevNs = t0;
  let end = start;
  const endNs = t0 + o.time * 1e9;
  // setTimeout may fire up to a millisecond early; a window end that close counts as reached.
  while (prevNs < endNs - 1e6) {
    await sleep(Math.ceil((Math.min(prevNs + 1e9, endNs) - clockNs(clockBase)) / 1e6));
    const s = await fleet.snapshot();
    const now = clockNs(clockBase);
    window.add(s.latency);
    const dt = (now - prevNs) / 1e9;
    // A short last interval (-z 2.5) is in the totals but would make a noisy per-second sample.
    if (dt >= 0.5) {
      perSecond.published.push(Math.round((s.sent - prev.sent) / dt));
      perSecond.received.push(Math.round((s.received - prev.received) / dt));
    }
    if (!o.quiet) ctx.progress(progressLine((now - t0) / 1e9, prev, s, dt));
    prev = s;
    prevNs = now;
    end = s;
    if (s.errors.length > 0) break;
  }
  const cpuEnd = cpuNow(ctx);
  const seconds = (prevNs - t0) / 1e9;
  await fleet.stopProducers(STOP_TIMEOUT_MS);
  const settled = await settle(ctx, end);
  return finish(ctx, {
    mode: 'steady',
    seconds,
    settled,
    rates: {
      published: (end.sent - start.sent) / seconds,
      confirmed: (end.confirmed - start.confirmed) / seconds,
      received: (end.received - start.received) / seconds,
    },
    perSecond,
    latency: window,
    cpu: cpuReport(start, end, cpuStart, cpuEnd, fleet.threads > 0),
  });
}

