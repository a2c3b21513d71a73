/**
 * --fill N / --drain: a backlog test. Fill publishes N messages with no consumer and times until the
 * broker has them all (last confirm, or the queue's message count without confirms); drain then starts
 * the consumers and times until the last delivery.
 */
import type { FleetSnapshot } from './fleet.js';
import { Histogram } from './histogram.js';
import { clockNs } from './measure.js';
import { fillProgressLine } from './report.js';
import type { PerfResult, PhaseRate } from './result.js';
import { cpuReport } from './result.js';
import { cpuNow, finish, rssMb, sleep, type RunContext } from './run-context.js';
import { queuedMessages } from './topology.js';

const POLL_MS = 100;
/** Without confirms, the fill is done when the queue count stops changing for this long. */
const COUNT_STABLE_MS = 2000;

type Phase = 'fill' | 'drain';

export async function runFill(ctx: RunContext): Promise<PerfResult> {
  const { o, fleet, clockBase, control, topology } = ctx;
  const start = await fleet.snapshot();
  const cpuStart = cpuNow(ctx);
  const phaseStart = clockNs(clockBase);
  const queuedBefore = await queuedMessages(control, topology);
  const latency = new Histogram();
  const perSecond = { published: [] as number[], received: [] as number[] };
  let fill: PhaseRate | undefined;
  let drain: PhaseRate | undefined;
  let rssFull: number | undefined;
  let last = start;
  let accounted: number | undefined;
  let expected: number | undefined;

  if (o.fill > 0) {
    await fleet.connectProducers();
    const t0 = clockNs(clockBase);
    await fleet.startProducers();
    last = await waitPhase(ctx, 'fill', t0, last, perSecond, latency, (s) => s.producersIdle);
    let fullNs = last.lastSendNs;
    const want = (last.sent - last.nacked) * topology.fanout;
    let queued = (await queuedMessages(control, topology)) - queuedBefore;
    if (o.confirm === 0) {
      let changedAt = Date.now();
      while (queued < want && Date.now() - changedAt < COUNT_STABLE_MS) {
        await sleep(POLL_MS);
        const q = (await queuedMessages(control, topology)) - queuedBefore;
        if (q !== queued) changedAt = Date.now();
        queued = q;
        fullNs = clockNs(clockBase);
      }
    }
    fill = phaseRate(o.fill, t0, fullNs);
    rssFull = rssMb(o.brokerPid);
    if (!o.quiet) ctx.progress(`filled ${o.fill} in ${fill.seconds.toFixed(2)} s; the queue(s) hold ${queued + queuedBefore}${rssFull !== undefined ? `; broker RSS ${rssFull} MB` : ''}`);
    expected = want;
    accounted = queued;
  }

  if (o.drain) {
    const queued = await queuedMessages(control, topology);
    const before = await fleet.snapshot();
    const t0 = clockNs(clockBase);
    await fleet.connectConsumers();
    const done = (s: FleetSnapshot): boolean => drained(s, before) >= queued;
    last = await waitPhase(ctx, 'drain', t0, before, perSecond, latency, done);
    const n = drained(last, before);
    drain = phaseRate(n, t0, Math.max(last.lastReceiveNs, t0));
    // Our own fill is checked message by message; a queue filled by someone else only by count.
    if (o.fill === 0) expected = queued;
    accounted = o.fill === 0 ? n : last.received;
  }

  const end = await fleet.snapshot();
  const cpuEnd = cpuNow(ctx);
  const seconds = (clockNs(clockBase) - phaseStart) / 1e9;
  const settled = { ...last, errors: [...last.errors, ...end.errors.filter((e) => !last.errors.includes(e))] };
  if (o.fill > 0 && !o.drain) settled.received = accounted ?? 0;
  if (o.fill === 0) settled.received = accounted ?? 0;
  return finish(ctx, {
    mode: 'fill',
    seconds,
    settled,
    ...(expected !== undefined ? { expected } : {}),
    rates: {
      published: fill?.rate ?? 0,
      confirmed: fill !== undefined && o.confirm > 0 ? last.confirmed / fill.seconds : 0,
      received: drain?.rate ?? 0,
    },
    perSecond,
    latency,
    cpu: cpuReport(start, end, cpuStart, cpuEnd, fleet.threads > 0),
    ...(fill !== undefined ? { fill } : {}),
    ...(drain !== undefined ? { drain } : {}),
    ...(rssFull !== undefined ? { rssFull } : {}),
  });
}

function drained(s: FleetSnapshot, before: FleetSnapshot): number {
  return s.received - before.received + (s.foreign - before.foreign);
}

function phaseRate(messages: number, t0: number, t1: number): PhaseRate {
  const seconds = Math.max(1e-9, (t1 - t0) / 1e9);
  return { messages, seconds, rate: messages / seconds };
}

/** Snapshots every POLL_MS until done(), an error, or --drain-timeout without progress; progress each second. */
async function waitPhase(
  ctx: RunContext,
  phase: Phase,
  t0: number,
  from: FleetSnapshot,
  perSecond: PerfResult['perSecond'],
  latency: Histogram,
  done: (s: FleetSnapshot) => boolean,
): Promise<FleetSnapshot> {
  let last = from;
  let tick = from;
  let tickNs = t0;
  let progressAt = Date.now();
  for (;;) {
    await sleep(POLL_MS);
    const s = await ctx.fleet.snapshot();
    latency.add(s.latency);
    if (s.sent !== last.sent || s.received !== last.received || s.foreign !== last.foreign || s.confirmed !== last.confirmed) progressAt = Date.now();
    last = s;
    const now = clockNs(ctx.clockBase);
    if (now - tickNs >= 1e9) {
      const dt = (now - tickNs) / 1e9;
      perSecond.published.push(Math.round((s.sent - tick.sent) / dt));
      perSecond.received.push(Math.round((s.received - tick.received) / dt));
      if (!ctx.o.quiet) ctx.progress(fillProgressLine(phase, (now - t0) / 1e9, tick, s, dt));
      tick = s;
      tickNs = now;
    }
    if (done(s) || s.errors.length > 0) return s;
    if (Date.now() - progressAt > ctx.o.drainTimeout * 1000) {
      return { ...s, errors: [...s.errors, `${phase} stalled: nothing happened for ${ctx.o.drainTimeout} s`] };
    }
  }
}
