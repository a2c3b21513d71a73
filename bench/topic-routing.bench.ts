/**
 * Topic routing throughput at 10, 10,000 and 100,000 bindings.
 * Run: npx tsx bench/topic-routing.bench.ts [--seconds=1]
 *
 * Binding keys are 3-5 words from a per-level vocabulary (domain.region.tenant.id.event); about 1 in 10 has a
 * '*' somewhere, 1 in 20 ends in '#' after three or more words, 1 in 200 starts with '#', and there is one
 * catch-all '#' and one 'orders.#' (an audit queue, a domain consumer). Half the routing keys are keys some
 * literal binding names, half are random, so both hits and misses are timed.
 * One output array is reused and emptied with pop(): `out.length = 0` makes V8 drop the backing store, so the
 * next push would reallocate and the GC count would measure the benchmark instead of route(). "minor GCs"
 * counts scavenges during the timed loop: 0 means routing allocated nothing.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { TopicRoutingTable } from '../src/core/exchange/topic.js';

const secondsArg = process.argv.find((a) => a.startsWith('--seconds='));
const SECONDS = secondsArg === undefined ? 1 : Number(secondsArg.slice('--seconds='.length));

let seed = 0x5eed;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

const VOCABULARY: readonly (readonly string[])[] = [
  ['orders', 'payments', 'users', 'inventory', 'shipping', 'billing', 'auth', 'search', 'catalog', 'reviews'],
  ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-east', 'sa-east', 'af-south'],
  Array.from({ length: 300 }, (_, i) => `tenant${i}`),
  Array.from({ length: 2000 }, (_, i) => `${(i * 7919).toString(36)}`),
  ['created', 'updated', 'deleted', 'failed', 'retried', 'completed', 'cancelled', 'archived'],
];

function randomKey(): string {
  const n = 3 + Math.floor(random() * 3);
  const words: string[] = [];
  for (let level = 0; level < n; level++) words.push(pick(VOCABULARY[level] as readonly string[]));
  return words.join('.');
}

function randomPattern(): string {
  const words = randomKey().split('.');
  const r = random();
  if (r < 0.1) words[Math.floor(random() * words.length)] = '*';
  else if (r < 0.15) words.splice(3 + Math.floor(random() * (words.length - 2)), words.length, '#');
  else if (r < 0.155) words[0] = '#';
  return words.join('.');
}

function minorGcCounter(): { count: () => number; stop: () => void } {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === 1) n++;
  });
  obs.observe({ entryTypes: ['gc'] });
  return { count: () => n, stop: () => obs.disconnect() };
}

interface Result {
  bindings: number;
  routesPerSecond: number;
  matchesPerRoute: number;
  nsPerRoute: number;
  minorGcs: number;
  nodes: number;
}

async function measure(size: number): Promise<Result> {
  const table = new TopicRoutingTable<number>();
  const patterns: string[] = [];
  for (let i = 0; i < size; i++) {
    const p = i === 0 ? '#' : i === 1 ? 'orders.#' : randomPattern();
    patterns.push(p);
    table.bind(i % 1000, p, {});
  }
  const literal = patterns.filter((p) => !p.includes('*') && !p.includes('#'));
  const keys = Array.from({ length: 4096 }, () => (random() < 0.5 && literal.length > 0 ? pick(literal) : randomKey()));
  const out: number[] = [];
  let matches = 0;
  const batch = (): void => {
    for (let i = 0; i < keys.length; i++) {
      table.route(keys[i] as string, undefined, out);
      matches += out.length;
      while (out.length > 0) out.pop();
    }
  };
  // Warm up until the JIT has settled, then let pending GC entries flush before counting.
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
    routes += keys.length;
  }
  const elapsed = (performance.now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  gcs.stop();
  return {
    bindings: size,
    routesPerSecond: routes / elapsed,
    matchesPerRoute: matches / routes,
    nsPerRoute: (elapsed * 1e9) / routes,
    minorGcs: gcs.count(),
    nodes: table.nodeCount,
  };
}

const results: Result[] = [];
for (const size of [10, 10_000, 100_000]) results.push(await measure(size));
console.log('topic routing (one exchange, reused output array)');
console.table(
  results.map((r) => ({
    bindings: r.bindings,
    'routes/s': Math.round(r.routesPerSecond).toLocaleString('en-US'),
    'ns/route': r.nsPerRoute.toFixed(0),
    'matches/route': r.matchesPerRoute.toFixed(2),
    'trie nodes': r.nodes,
    'minor GCs while timed': r.minorGcs,
  })),
);
