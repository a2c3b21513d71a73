/**
 * Headers routing throughput at 10, 1,000 and 10,000 bindings.
 * Run: npx tsx bench/headers-routing.bench.ts [--seconds=1]
 *
 * Each binding has 1-3 arguments over five header names (format, region, kind, priority, tenant) with mixed
 * value types; x-match is all for 6 in 10, any for 3, all-with-x for 1; 1 argument in 10 is void (presence).
 * Messages carry 3-6 headers from the same names plus an x- header. route() tries every binding (as RabbitMQ
 * does), so cost grows with the binding count: "bindings/s" is the rate of single-binding checks.
 * As in the topic benchmark, the output array is emptied with pop() and "minor GCs" counts scavenges while
 * timed: 0 means routing allocated nothing.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { HeadersRoutingTable } from '../src/core/exchange/headers.js';
import type { FieldTable, FieldValue } from '../src/protocol/field-table.js';

const secondsArg = process.argv.find((a) => a.startsWith('--seconds='));
const SECONDS = secondsArg === undefined ? 1 : Number(secondsArg.slice('--seconds='.length));

let seed = 0x4ead;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

const str = (value: string): FieldValue => ({ type: 'string', value });
const HEADERS: Readonly<Record<string, () => FieldValue>> = {
  format: () => str(pick(['pdf', 'csv', 'json', 'xml'])),
  region: () => str(pick(['eu', 'us', 'ap', 'sa'])),
  kind: () => str(pick(['report', 'invoice', 'alert', 'audit', 'metric'])),
  priority: () => ({ type: pick(['int8', 'int32'] as const), value: Math.floor(random() * 4) }),
  tenant: () => ({ type: 'int64', value: Math.floor(random() * 50) }),
};
const NAMES = Object.keys(HEADERS);

function randomArgs(): FieldTable {
  const args: Record<string, FieldValue> = {};
  const r = random();
  if (r < 0.3) args['x-match'] = str('any');
  else if (r < 0.4) args['x-match'] = str('all-with-x');
  const n = 1 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) {
    const name = pick(NAMES);
    args[name] = random() < 0.1 ? { type: 'void', value: null } : (HEADERS[name] as () => FieldValue)();
  }
  return args;
}

function randomHeaders(): FieldTable {
  const h: Record<string, FieldValue> = { 'x-trace': str('abc123') };
  const n = 3 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) {
    const name = pick(NAMES);
    h[name] = (HEADERS[name] as () => FieldValue)();
  }
  return h;
}

function minorGcCounter(): { count: () => number; stop: () => void } {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) n++;
  });
  obs.observe({ entryTypes: ['gc'] });
  return { count: () => n, stop: () => obs.disconnect() };
}

async function measure(size: number): Promise<Record<string, string | number>> {
  const table = new HeadersRoutingTable<number>();
  for (let i = 0; i < size; i++) table.bind(i, '', randomArgs());
  const messages = Array.from({ length: 1024 }, randomHeaders);
  const out: number[] = [];
  let matches = 0;
  const batch = (): void => {
    for (let i = 0; i < messages.length; i++) {
      table.route('', messages[i], out);
      matches += out.length;
      while (out.length > 0) out.pop();
    }
  };
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) batch();
  await new Promise((r) => setTimeout(r, 50));
  const gcs = minorGcCounter();
  matches = 0;
  let routes = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    batch();
    routes += messages.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  gcs.stop();
  return {
    bindings: size,
    'routes/s': Math.round(routes / elapsed).toLocaleString('en-US'),
    'ns/route': ((elapsed * 1e9) / routes).toFixed(0),
    'bindings/s': Math.round((routes * size) / elapsed).toLocaleString('en-US'),
    'matches/route': (matches / routes).toFixed(2),
    'minor GCs while timed': gcs.count(),
  };
}

const rows: Record<string, string | number>[] = [];
for (const size of [10, 1_000, 10_000]) rows.push(await measure(size));
console.log('headers routing (one exchange, reused output array)');
console.table(rows);
