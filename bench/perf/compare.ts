/**
 * Side-by-side runs of the perf tool against two brokers, alternating (A, B, A, B, ...) so that drift on
 * the machine hits both alike; prints a Markdown table of medians. Every run is its own process, and its
 * JSON result is kept in --out.
 *
 *   npx tsx bench/perf/compare.ts --a amqp://guest:guest@127.0.0.1:5692 --a-pid PID \
 *     --b amqp://guest:guest@127.0.0.1:5673 --b-pid PID [--pairs 3] [--time 12] [--only a,b,f] [--out DIR]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PerfResult } from './result.js';

interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly args: readonly string[];
  /** The headline number, higher is better unless `lowerIsBetter`. */
  readonly metric: (r: PerfResult) => number;
  readonly unit: string;
  readonly lowerIsBetter?: boolean;
}

/*
 * (b) and (c) are not steady states: the publisher's window (1,000 confirms) comes back whole in one
 * basic.ack multiple per read, the consumer's (prefetch 1,000) only as its acks trickle in, one per
 * socket read of deliveries, so the consumer gets about half of what is published (Warren before and
 * after issue 11 alike; with -q 4000 it keeps up). The queue grows by the difference and pages past
 * 20,000 messages (core/queue/queue-paging.ts), so their broker µs per message op include paging and
 * vary with how far the queue got. That is what RabbitMQ does too: its flow control slows publishers
 * only to what the queues can take in, not to what consumers take out. Their headline stays the
 * received rate; for the per-message CPU of the steady path, bench/broker-cpu.ts b (the consumer
 * acks every turn, nothing pages).
 */
const SCENARIOS: readonly Scenario[] = [
  { id: 'a', title: '1 producer, 1 consumer, 16 B, no confirms, auto-ack', args: ['-s', '16', '-a'], metric: (r) => r.rates.received, unit: 'msg/s' },
  { id: 'b', title: '1 KiB, confirms (1,000 in flight), manual ack, prefetch 1,000, transient', args: ['-s', '1024', '-c', '1000', '-q', '1000'], metric: (r) => r.rates.received, unit: 'msg/s' },
  { id: 'c', title: 'as (b), persistent messages on a durable queue', args: ['-s', '1024', '-c', '1000', '-q', '1000', '--persistent'], metric: (r) => r.rates.received, unit: 'msg/s' },
  { id: 'd', title: 'fanout to 10 queues, 10 consumers, 256 B, auto-ack', args: ['-t', 'fanout', '--queues', '10', '-s', '256', '-a'], metric: (r) => r.rates.received, unit: 'deliveries/s' },
  { id: 'e', title: 'topic exchange, 10,000 bindings, random keys, 16 B, auto-ack', args: ['-t', 'topic', '--bindings', '10000', '--random-keys', '-a'], metric: (r) => r.rates.received, unit: 'routed deliveries/s' },
  { id: 'f', title: 'latency at 5,000 msg/s, 1 KiB, confirms + manual acks (p99)', args: ['-r', '5000', '-s', '1024', '-c', '1000', '-q', '1000', '--workers', '0'], metric: (r) => r.latencyMs?.p99 ?? NaN, unit: 'ms', lowerIsBetter: true },
  { id: 'g', title: '1,000,000 messages of 100 B queued, then drained (fill rate)', args: ['--fill', '1000000', '--drain', '-s', '100', '-c', '1000', '-q', '1000'], metric: (r) => r.fill?.rate ?? NaN, unit: 'msg/s' },
];

interface Args {
  a: string;
  b: string;
  aPid: string | undefined;
  bPid: string | undefined;
  pairs: number;
  time: string;
  only: string[] | undefined;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const a = get('a');
  const b = get('b');
  if (a === undefined || b === undefined) throw new Error('usage: compare.ts --a URL [--a-pid PID] --b URL [--b-pid PID] [--pairs 3] [--time 12] [--only a,b] [--out DIR]');
  return {
    a,
    b,
    aPid: get('a-pid'),
    bPid: get('b-pid'),
    pairs: Number(get('pairs') ?? 3),
    time: get('time') ?? '12',
    only: get('only')?.split(','),
    out: get('out') ?? `/tmp/warren-perf-compare-${Date.now()}`,
  };
}

const cli = join(dirname(fileURLToPath(import.meta.url)), 'cli.ts');

function runOnce(url: string, pid: string | undefined, s: Scenario, time: string): PerfResult {
  const args = ['--import', 'tsx', cli, '--url', url, '-z', time, '--json', '--quiet', ...(pid !== undefined ? ['--broker-pid', pid] : []), ...s.args];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.stdout.trim() === '') throw new Error(`run failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PerfResult;
}

function median(values: readonly number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

function fmt(n: number, unit: string): string {
  if (!Number.isFinite(n)) return '-';
  if (unit === 'ms') return n < 10 ? n.toFixed(2) : n.toFixed(1);
  return Math.round(n).toLocaleString('en-US');
}

const DETAIL_HEADER =
  '\nMedians of every run, per side: rates in msg/s, latency in ms, CPU in cores and µs per message op.\n\n' +
  '| | side | published | confirmed | received | p50 | p99 | p99.9 | fill | drain | RSS full MB | broker cores | broker µs/msg | tool cores |\n' +
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';

function detailRow(id: string, side: string, rs: readonly PerfResult[]): string {
  const m = (f: (r: PerfResult) => number | undefined, unit = 'msg/s'): string => fmt(median(rs.map((r) => f(r) ?? NaN)), unit);
  const cells = [
    m((r) => (r.mode === 'steady' ? r.rates.published : undefined)),
    m((r) => (r.mode === 'steady' && r.options.confirm > 0 ? r.rates.confirmed : undefined)),
    m((r) => (r.mode === 'steady' ? r.rates.received : undefined)),
    m((r) => r.latencyMs?.p50, 'ms'),
    m((r) => r.latencyMs?.p99, 'ms'),
    m((r) => r.latencyMs?.p999, 'ms'),
    m((r) => r.fill?.rate),
    m((r) => r.drain?.rate),
    m((r) => r.brokerRssMb?.full),
    m((r) => r.cpu.brokerCores, 'ms'),
    m((r) => r.cpu.brokerUsPerMessage, 'ms'),
    m((r) => r.cpu.toolCores, 'ms'),
  ];
  return `| ${id} | ${side} | ${cells.join(' | ')} |`;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  mkdirSync(o.out, { recursive: true });
  const rows: string[] = [];
  const details: string[] = [];
  for (const s of SCENARIOS.filter((x) => o.only === undefined || o.only.includes(x.id))) {
    const results: { a: PerfResult[]; b: PerfResult[] } = { a: [], b: [] };
    for (let i = 0; i < o.pairs; i++) {
      for (const side of ['a', 'b'] as const) {
        const r = runOnce(side === 'a' ? o.a : o.b, side === 'a' ? o.aPid : o.bPid, s, o.time);
        results[side].push(r);
        writeFileSync(join(o.out, `${s.id}-${side}-${i + 1}.json`), JSON.stringify(r, null, 2));
        process.stderr.write(`${s.id} ${side} #${i + 1} (${r.broker}): ${fmt(s.metric(r), s.unit)} ${s.unit}${r.ok ? '' : ` FAILED: ${r.errors.join('; ')}`}\n`);
      }
    }
    const ma = median(results.a.map(s.metric));
    const mb = median(results.b.map(s.metric));
    const ratio = s.lowerIsBetter === true ? mb / ma : ma / mb;
    const lat = (rs: PerfResult[]): string => `${fmt(median(rs.map((r) => r.latencyMs?.p50 ?? NaN)), 'ms')} / ${fmt(median(rs.map((r) => r.latencyMs?.p99 ?? NaN)), 'ms')}`;
    for (const [side, rs] of [['A', results.a], ['B', results.b]] as const) details.push(detailRow(s.id, side, rs));
    rows.push(`| ${s.id} | ${s.title} | ${fmt(ma, s.unit)} | ${fmt(mb, s.unit)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : '-'} | ${lat(results.a)} | ${lat(results.b)} |`);
    process.stdout.write(`${rows.at(-1)}\n`);
  }
  process.stdout.write(`\n| | scenario | A | B | A/B | A p50 / p99 ms | B p50 / p99 ms |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n\n${DETAIL_HEADER}${details.join('\n')}\n\nJSON results in ${o.out}\n`);
}

main();
