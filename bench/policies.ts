/**
 * Policies at scale (issue 13):
 * - set: one policy set (and changed, and deleted) over N matching queues, applied live to every
 *   queue of the vhost; the time includes validation, re-application and the definitions fsync.
 * - declare: queue.declares pipelined over AMQP (one connection, RawClient) in a vhost with 0 and with
 *   100 policies (none of which matches, the worst case: every pattern is tried), alternated over
 *   rounds; and the same declares in-process (vhost.declareQueue), where the match is a larger share.
 *
 *   node --import tsx bench/policies.ts [--queues 10000] [--declares 5000] [--rounds 5] [--suffix]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { brokerPrincipal } from '../src/core/principal.js';
import { encodeMethodFrame } from '../src/protocol/methods.generated.js';
import { Writer } from '../src/protocol/writer.js';
import { startBroker, type Broker } from '../src/index.js';
import { RawClient } from '../test/helpers/raw-client.js';

function arg(name: string, fallback: string): number {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback);
}
const queues = arg('queues', '10000');
const declares = arg('declares', '5000');
const rounds = arg('rounds', '5');
/** --suffix: unanchored patterns (`-7\.orders$`), whose prefilter is a required literal rather than a prefix. */
const suffix = process.argv.includes('--suffix');

async function withBroker<T>(fn: (b: Broker) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-policies-'));
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logLevel: 'warn' });
  try {
    return await fn(broker);
  } finally {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const owner = brokerPrincipal('/');
const request = (name: string) => ({ name, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} });

async function setOverQueues(): Promise<void> {
  await withBroker(async (broker) => {
    const vhost = broker.vhosts.get('/');
    if (vhost === undefined) throw new Error('no vhost');
    for (let i = 0; i < queues; i++) vhost.declareQueue(request(`bench.q${i}`), owner);
    const time = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      const t0 = performance.now();
      await fn();
      process.stdout.write(`${what.padEnd(44)} ${(performance.now() - t0).toFixed(1)} ms\n`);
    };
    process.stdout.write(`${queues} queues in the vhost, all matching\n`);
    await time('policies.set (new, max-length + message-ttl)', () => broker.policies.set('/', 'all', { pattern: '^bench\\.', definition: { 'max-length': 100, 'message-ttl': 60_000 } }));
    await time('policies.set (changed definition)', () => broker.policies.set('/', 'all', { pattern: '^bench\\.', definition: { 'max-length': 50 } }));
    await time('operatorPolicies.set (cap)', () => broker.operatorPolicies.set('/', 'cap', { pattern: '', definition: { 'max-length': 10 } }));
    await time('policies.delete', () => broker.policies.delete('/', 'all'));
    const q = broker.readModel.queue('/', `bench.q${queues - 1}`);
    if (q?.operatorPolicy !== 'cap' || q.policy !== undefined) throw new Error('not applied');
  });
}

async function declareRounds(): Promise<void> {
  await withBroker(async (broker) => {
    const vhost = broker.vhosts.get('/');
    if (vhost === undefined) throw new Error('no vhost');
    const raw = await RawClient.open(broker.port);
    await raw.openChannel(1);
    let batch = 0;
    const amqpDeclares = async (): Promise<number> => {
      const w = new Writer(1 << 20);
      batch++;
      for (let i = 0; i < declares; i++) {
        encodeMethodFrame(w, 1, { name: 'queue.declare', ticket: 0, queue: `d${batch}.q${i}`, passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
      }
      const frames = w.take();
      const before = raw.count('queue.declare-ok');
      const t0 = performance.now();
      raw.send(frames);
      await raw.waitFor(() => raw.count('queue.declare-ok') >= before + declares, 'declare-oks', 120_000);
      const us = ((performance.now() - t0) * 1000) / declares;
      for (let i = 0; i < declares; i++) vhost.deleteQueue(`d${batch}.q${i}`, owner, false, false);
      return us;
    };
    const inProcess = (): number => {
      batch++;
      const t0 = performance.now();
      for (let i = 0; i < declares; i++) vhost.declareQueue(request(`d${batch}.q${i}`), owner);
      const us = ((performance.now() - t0) * 1000) / declares;
      for (let i = 0; i < declares; i++) vhost.deleteQueue(`d${batch}.q${i}`, owner, false, false);
      return us;
    };
    const setPolicies = async (n: number): Promise<void> => {
      for (const p of broker.policies.list('/')) await broker.policies.delete('/', p.name);
      for (let i = 0; i < n; i++) await broker.policies.set('/', `p${i}`, { pattern: suffix ? `-${i}\\.orders$` : `^orders-${i}\\.`, priority: i % 7, definition: { 'max-length': 1000 + i } });
    };
    const results: Record<'0' | '100', { amqp: number[]; local: number[] }> = { '0': { amqp: [], local: [] }, '100': { amqp: [], local: [] } };
    await amqpDeclares(); // warm-up
    inProcess();
    for (let r = 0; r < rounds; r++) {
      for (const n of r % 2 === 0 ? ([0, 100] as const) : ([100, 0] as const)) {
        await setPolicies(n);
        results[n].amqp.push(await amqpDeclares());
        results[n].local.push(inProcess());
      }
    }
    await raw.close();
    process.stdout.write(`\n${declares} queue.declares per round, ${rounds} rounds, median µs per declare\n`);
    process.stdout.write('policies  amqp (pipelined)  in-process\n');
    for (const n of ['0', '100'] as const) {
      process.stdout.write(`${n.padStart(8)}  ${median(results[n].amqp).toFixed(2).padStart(16)}  ${median(results[n].local).toFixed(2).padStart(10)}\n`);
    }
    const ratio = (k: 'amqp' | 'local'): string => `${((median(results['100'][k]) / median(results['0'][k]) - 1) * 100).toFixed(1)}%`;
    process.stdout.write(`cost of 100 policies: amqp ${ratio('amqp')}, in-process ${ratio('local')}\n`);
  });
}

await setOverQueues();
await declareRounds();
