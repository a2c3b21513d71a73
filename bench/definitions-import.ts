/**
 * Imports a definitions document of N durable queues, each bound to one of 10 topic exchanges (N
 * bindings), into a fresh broker on a fresh data directory; prints the time and the fsyncs the import
 * cost (fdatasync/fsync calls counted process-wide, so message-store and directory syncs count too).
 * Target (issue 14): 10,000 queues + 10,000 bindings under 2 s, one batched fsync.
 *   npx tsx bench/definitions-import.ts [N=10000]
 * With BENCH_DIST=1 it runs the compiled broker (dist/, `npm run build` first), as `npm start` does:
 * under tsx every function also pays esbuild's keepNames wrapper. BENCH_TREE=/path runs another checkout's dist/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { countFsyncs } from '../test/helpers/fsync-counter.js';

const n = Number(process.argv[2] ?? 10000);
const fsyncs = countFsyncs();
const tree = process.env['BENCH_TREE']; // another checkout's dist/ (a baseline), for a before/after in the same load
const root = tree !== undefined ? pathToFileURL(resolve(tree, 'dist/src')).href : process.env['BENCH_DIST'] === '1' ? '../dist/src' : '../src';
const { startBroker } = (await import(`${root}/index.js`)) as typeof import('../src/index.js');
const { createLogger } = (await import(`${root}/util/logger.js`)) as typeof import('../src/util/logger.js');

export function bulkDefinitions(queues: number): Record<string, unknown> {
  const exchanges = Array.from({ length: 10 }, (_, i) => ({ name: `x${i}`, vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }));
  return {
    rabbit_version: '3.10.8',
    exchanges,
    queues: Array.from({ length: queues }, (_, i) => ({ name: `q${i}`, vhost: '/', durable: true, auto_delete: false, arguments: { 'x-message-ttl': 60000 } })),
    bindings: Array.from({ length: queues }, (_, i) => ({ source: `x${i % 10}`, vhost: '/', destination: `q${i}`, destination_type: 'queue', routing_key: `k.${i}.#`, arguments: {} })),
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-defs-'));
const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: createLogger('info', undefined, 'json') });
const doc = bulkDefinitions(n);
await broker.updateVhost('/', {}); // resolves once the start's own records (users, permissions seeded) are on disk
const before = fsyncs.count();
const started = performance.now();
const cpu = process.cpuUsage();
const summary = await broker.definitions.import(doc);
const ms = performance.now() - started;
const spent = process.cpuUsage(cpu);
const cpuMs = (spent.user + spent.system) / 1000;
const used = fsyncs.count() - before;
await broker.close();
rmSync(dataDir, { recursive: true, force: true });
fsyncs.stop();
process.stdout.write(
  `definitions import: ${summary.queues} queues + ${summary.bindings} bindings + ${summary.exchanges} exchanges in ${ms.toFixed(0)} ms (CPU ${cpuMs.toFixed(0)} ms: wall time on a loaded machine includes waiting for a core), ${used} fsync(s)\n`,
);
