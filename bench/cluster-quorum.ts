/**
 * What a confirmed publish to a quorum queue on JetStream (R3) costs, against the same publish to a
 * durable classic queue on the node (persistent, fsynced). Starts three nats-servers (one NATS
 * cluster, JetStream) and one Warren node joined through them, then publishes N persistent messages
 * of SIZE bytes with confirms (window 1,000) to each queue, ROUNDS times alternating, with no
 * consumer. Reports msg/s and the Warren node's CPU per message (utime+stime from /proc), medians.
 *
 *   npm run build && node --import tsx bench/cluster-quorum.ts [N=20000] [SIZE=100] [ROUNDS=3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { startNatsCluster } from '../test/helpers/nats-server.js';
import { startWarrenProcess } from '../test/helpers/process.js';

const N = Number(process.argv[2] ?? 20_000);
const SIZE = Number(process.argv[3] ?? 100);
const ROUNDS = Number(process.argv[4] ?? 3);
const WINDOW = 1000;
const TICK_MS = 10; // USER_HZ 100 on Linux

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function publishAll(ch: amqplib.ConfirmChannel, queue: string): Promise<void> {
  const body = Buffer.alloc(SIZE, 120);
  let sent = 0;
  let settled = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      while (sent < N && sent - settled < WINDOW) {
        sent++;
        ch.publish('', queue, body, { persistent: true }, (err) => {
          if (err != null) return reject(new Error('nacked'));
          if (++settled === N) resolve();
          else if (sent - settled < WINDOW / 2) pump();
        });
      }
    };
    pump();
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const nats = await startNatsCluster({ size: 3, jetstream: true });
  const dir = mkdtempSync(join(tmpdir(), 'warren-bench-quorum-'));
  const node = await startWarrenProcess(['--data-dir', dir, '--cluster-nats', nats.urls, '--node-name', 'a'], 60_000, [], true);
  try {
    const conn = await amqplib.connect(node.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('bench-classic', { durable: true });
    await ch.assertQueue('bench-quorum', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const results: Record<string, { rate: number[]; cpu: number[] }> = { classic: { rate: [], cpu: [] }, quorum: { rate: [], cpu: [] } };
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of ['classic', 'quorum'] as const) {
        const pid = node.child.pid!;
        const cpu0 = cpuMs(pid);
        const t0 = process.hrtime.bigint();
        await publishAll(ch, `bench-${kind}`);
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;
        results[kind]!.rate.push(N / secs);
        results[kind]!.cpu.push(((cpuMs(pid) - cpu0) * 1000) / N);
        await ch.purgeQueue('bench-classic');
      }
    }
    for (const [kind, r] of Object.entries(results)) {
      console.log(`${kind}: ${Math.round(median(r.rate))} msg/s, ${median(r.cpu).toFixed(1)} us of the node's CPU per message (rounds: ${r.rate.map((x) => Math.round(x)).join(', ')} msg/s)`);
    }
    await conn.close();
  } finally {
    await node.kill('SIGTERM');
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
