/**
 * How long a queue declared on node a takes to be visible on node b (its metadata watch applied
 * it). Starts three nats-servers (JetStream, one NATS cluster, so the bucket has 3 replicas) and two
 * embedded Warren nodes in this process; declares N queues on a one after another (amqplib), and
 * for each takes the time from the declare's start on a to the queue being in b's tables (polled on
 * every turn of the event loop), and counts how often b had it already when a's declare-ok arrived. Both nodes share this process's event loop, so the figure includes
 * whatever a still does after its reply. Prints median, p90, p99 and max in ms, and the declare's own
 * round trip (which includes the compare-and-set write to the bucket).
 *
 *   node --import tsx bench/cluster-metadata.ts [N=200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { startBroker, type Broker } from '../src/index.js';
import { silentLogger } from '../src/util/logger.js';
import { startNatsCluster } from '../test/helpers/nats-server.js';

const N = Number(process.argv[2] ?? 200);

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const fmt = (ms: number): string => ms.toFixed(2);

async function main(): Promise<void> {
  const nats = await startNatsCluster({ size: 3, jetstream: true });
  const dirs: string[] = [];
  const start = async (name: string): Promise<Broker> => {
    const dataDir = mkdtempSync(join(tmpdir(), `warren-bench-meta-${name}-`));
    dirs.push(dataDir);
    return startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), clusterNats: nats.urls.split(','), clusterNodeName: name });
  };
  const a = await start('a');
  const b = await start('b');
  const conn = await amqplib.connect(`amqp://guest:guest@127.0.0.1:${a.port}`);
  const ch = await conn.createChannel();
  const onB = b.vhosts.get('/');
  if (onB === undefined) throw new Error('no vhost / on b');
  const visible: number[] = [];
  const declare: number[] = [];
  let seenAtReply = 0;
  for (let i = 0; i < N; i++) {
    const name = `bench-meta-${i}`;
    const t0 = performance.now();
    await ch.assertQueue(name, { durable: true });
    const t1 = performance.now();
    if (onB.queues.has(name)) seenAtReply++;
    while (!onB.queues.has(name)) await new Promise((r) => setImmediate(r));
    visible.push(performance.now() - t0);
    declare.push(t1 - t0);
  }
  visible.sort((x, y) => x - y);
  declare.sort((x, y) => x - y);
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${N} durable queues declared on a`);
  console.log(`declare-ok on a (includes the KV compare-and-set): median ${fmt(pct(declare, 50))} ms, p99 ${fmt(pct(declare, 99))} ms`);
  console.log(
    `visible on b, from the declare's start on a: median ${fmt(pct(visible, 50))} ms, p90 ${fmt(pct(visible, 90))} ms, p99 ${fmt(pct(visible, 99))} ms, max ${fmt(visible[visible.length - 1] as number)} ms`,
  );
  console.log(`already visible on b when a's declare-ok reached the client: ${seenAtReply} of ${N}`);
  await conn.close();
  await a.close();
  await b.close();
  await nats.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

void main();
