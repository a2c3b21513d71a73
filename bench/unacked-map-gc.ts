/**
 * What the young-generation GC pays while a prefetch-0 consumer's channel fills with unacked
 * deliveries, then acks them oldest first: GC count and pause per phase (PerformanceObserver 'gc').
 * Pauses are wall clock (quote the machine's load); for counts and bytes promoted, run it with
 * `node --trace-gc-nvp`. An older unacked-map.ts can be passed to compare (its imports are types only).
 *   node --import tsx bench/unacked-map-gc.ts [count] [path/to/unacked-map.ts]
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const count = Number(process.argv[2] ?? 1_000_000);
const modulePath = process.argv[3] === undefined ? '../src/amqp/unacked-map.js' : pathToFileURL(resolve(process.argv[3])).href;
const { UnackedMap } = (await import(modulePath)) as typeof import('../src/amqp/unacked-map.js');
type Map_ = InstanceType<typeof UnackedMap>;

let phase = '';
const gcs = new Map<string, { n: number; total: number; max: number }>();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const s = gcs.get(phase) ?? { n: 0, total: 0, max: 0 };
    s.n++;
    s.total += e.duration;
    s.max = Math.max(s.max, e.duration);
    gcs.set(phase, s);
  }
}).observe({ entryTypes: ['gc'] });
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50)); // observer entries arrive after the turn

const queue = { name: 'q' } as never;
const consumer = { tag: 'c' } as never;
const map: Map_ = new UnackedMap();
await settle();
phase = 'fill';
const t0 = performance.now();
for (let tag = 1; tag <= count; tag++) map.add({ tag, queue, seq: tag, consumer, at: tag });
const t1 = performance.now();
await settle();
phase = 'ack';
for (let tag = 1; tag <= count; tag++) map.takeOne(tag);
const t2 = performance.now();
await settle();
console.log(`${count} adds ${(t1 - t0).toFixed(0)} ms, ${count} single acks ${(t2 - t1).toFixed(0)} ms`);
for (const [p, s] of gcs) if (p !== '') console.log(`  ${p}: ${s.n} GCs, ${s.total.toFixed(1)} ms paused, longest ${s.max.toFixed(1)} ms`);
