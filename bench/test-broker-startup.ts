/**
 * warren/testing: how long createTestBroker() takes to be ready (a client could connect) and close()
 * to finish, median and max over RUNS brokers made one after another in one process (the first, which
 * also loads the modules, is reported apart).
 *   npx tsx bench/test-broker-startup.ts [RUNS=30]
 */
import { performance } from 'node:perf_hooks';
import { createTestBroker } from '../src/testing/index.js';

const runs = Number(process.argv[2] ?? 30);
const ready: number[] = [];
const closed: number[] = [];
for (let i = 0; i <= runs; i++) {
  const t0 = performance.now();
  const kit = await createTestBroker();
  const t1 = performance.now();
  await kit.close();
  const t2 = performance.now();
  if (i === 0) {
    console.log(`first (cold) broker: ready ${(t1 - t0).toFixed(1)} ms, close ${(t2 - t1).toFixed(1)} ms`);
    continue;
  }
  ready.push(t1 - t0);
  closed.push(t2 - t1);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (xs: number[]): string => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
console.log(`ready: ${fmt(ready)}  (goal < 50 ms)`);
console.log(`close: ${fmt(closed)}  (goal < 20 ms)`);
