/** The progress line printed every second and the summary at the end. */
import type { FleetSnapshot } from './fleet.js';
import type { PerfResult } from './result.js';

/** A tool thread busier than this may be what limits the rate, not the broker. */
const SATURATED_CORES = 0.9;

const int = (n: number): string => Math.round(n).toLocaleString('en-US');

function ms(v: number): string {
  return v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0);
}

export function progressLine(elapsed: number, prev: FleetSnapshot, s: FleetSnapshot, dt: number): string {
  const rate = (a: number, b: number): string => `${int((b - a) / dt)}/s`.padStart(11);
  const h = s.latency;
  const lat = h.count === 0 ? 'latency -' : `latency p50 ${ms(h.percentile(50) / 1e6)} ms p99 ${ms(h.percentile(99) / 1e6)} ms`;
  const parts = [
    `[${elapsed.toFixed(0).padStart(3)}s] sent ${rate(prev.sent, s.sent)}`,
    `confirmed ${rate(prev.confirmed, s.confirmed)}`,
    `received ${rate(prev.received, s.received)}`,
    lat,
  ];
  if (s.errors.length > 0) parts.push(`ERROR ${s.errors.join('; ')}`);
  return parts.join(' | ');
}

export function fillProgressLine(phase: 'fill' | 'drain', elapsed: number, prev: FleetSnapshot, s: FleetSnapshot, dt: number): string {
  const rate =
    phase === 'fill'
      ? `sent ${int((s.sent - prev.sent) / dt)}/s, confirmed ${int((s.confirmed - prev.confirmed) / dt)}/s, ${int(s.sent)} so far`
      : `received ${int((s.received + s.foreign - prev.received - prev.foreign) / dt)}/s, ${int(s.received + s.foreign)} so far`;
  return `[${elapsed.toFixed(0).padStart(3)}s] ${phase}: ${rate}`;
}

function describe(r: PerfResult): string {
  const o = r.options;
  const bits = [
    `${o.producers} producer(s)`,
    `${o.consumers} consumer(s)`,
    `${o.size} B`,
    o.confirm > 0 ? `confirms ${o.confirm} in flight` : 'no confirms',
    o.autoAck ? 'auto-ack' : `manual ack${o.qos > 0 ? `, prefetch ${o.qos}` : ''}`,
    o.persistent ? 'persistent' : 'transient',
    `${o.exchange === '' ? 'default exchange' : `${o.type} exchange ${o.exchange}`}, ${o.queues} queue(s)`,
  ];
  if (o.bindings > 0) bits.push(`${o.bindings} bindings${o.randomKeys ? ', random keys' : ''}`);
  if (o.rate > 0) bits.push(`rate ${int(o.rate)} msg/s`);
  bits.push(`${r.threads === 0 ? 'main thread only' : `${r.threads} worker thread(s)`}`);
  return bits.join(', ');
}

function spread(values: readonly number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${int(sorted[0] as number)} / median ${int(sorted[Math.floor(sorted.length / 2)] as number)} / max ${int(sorted.at(-1) as number)}`;
}

export function summaryText(r: PerfResult): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`  ${label.padEnd(14)} ${value}`);
  };
  lines.push(`warren-perf against ${r.broker}: ${describe(r)}`);
  if (r.fill !== undefined) row('fill', `${int(r.fill.rate)} msg/s (${int(r.fill.messages)} in ${r.fill.seconds.toFixed(2)} s)`);
  if (r.drain !== undefined) row('drain', `${int(r.drain.rate)} msg/s (${int(r.drain.messages)} in ${r.drain.seconds.toFixed(2)} s)`);
  if (r.mode === 'steady') {
    row('measured', `${r.seconds.toFixed(1)} s`);
    row('published', `${int(r.rates.published)} msg/s (${int(r.published)} in all)`);
    if (r.options.confirm > 0) row('confirmed', `${int(r.rates.confirmed)} msg/s${r.nacked > 0 ? `, ${int(r.nacked)} nacked` : ''}`);
    row('received', `${int(r.rates.received)} msg/s (${int(r.received)} in all, ${int(r.expected)} expected)`);
    row('per second', `published ${spread(r.perSecond.published)}; received ${spread(r.perSecond.received)}`);
  }
  const l = r.latencyMs;
  const latLabel = r.mode === 'fill' ? 'time queued' : 'latency';
  row(latLabel, l === undefined ? '-' : `p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, p99.9 ${ms(l.p999)} ms (mean ${ms(l.mean)}, max ${ms(l.max)}, n ${int(l.count)})`);
  row('checks', `loss ${int(r.loss)}, duplicates ${int(r.duplicates)}, reordered ${int(r.reorders)}, gaps ${int(r.gaps)}${r.foreign > 0 ? `, other runs' messages ${int(r.foreign)}` : ''}`);
  const c = r.cpu;
  row('tool CPU', `${c.toolCores.toFixed(2)} cores, ${c.usPerMessage.toFixed(2)} µs per message op (publish or delivery)`);
  for (const t of c.threads) {
    const warn = t.cores >= SATURATED_CORES ? '  <- saturated: the tool may be the bottleneck' : '';
    lines.push(`    ${t.role.padEnd(40)} ${t.cores.toFixed(2)} cores, ${t.usPerMessage.toFixed(2)} µs/msg${warn}`);
  }
  if (c.brokerCores !== undefined) row('broker CPU', `${c.brokerCores.toFixed(2)} cores, ${(c.brokerUsPerMessage ?? 0).toFixed(2)} µs per message op`);
  if (r.brokerRssMb !== undefined) {
    row('broker RSS', [r.brokerRssMb.full !== undefined ? `${r.brokerRssMb.full} MB when full` : '', r.brokerRssMb.end !== undefined ? `${r.brokerRssMb.end} MB at the end` : ''].filter(Boolean).join(', '));
  }
  row('result', r.ok ? 'OK' : `FAILED: ${r.errors.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

/** JSON for scripts: the whole result, options included. */
export function summaryJson(r: PerfResult): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
