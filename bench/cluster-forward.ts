/**
 * What a publish forwarded to another node costs, against the same publish to a local queue.
 * Starts one nats-server (JetStream) and two Warren processes joined through it (a, b), then on
 * node a publishes N transient messages of SIZE bytes with confirms (window 1,000) to a queue on
 * a (local) and to a queue on b (forwarded), alternating, ROUNDS times; each queue has a no-ack
 * consumer on its own node. Reports msg/s and the
 * broker CPU per message (utime+stime from /proc of each node) for both, medians over the rounds.
 *
 *   npm run build && node --import tsx bench/cluster-forward.ts [N=100000] [SIZE=100] [ROUNDS=3]
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { startNatsCluster } from '../test/helpers/nats-server.js';
import { startWarrenProcess, type WarrenProcess } from '../test/helpers/process.js';

const N = Number(process.argv[2] ?? 100_000);
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
        ch.publish('', queue, body, {}, (err) => {
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
  const nats = await startNatsCluster({ size: 1, jetstream: true });
  const dirs = ['a', 'b'].map((n) => mkdtempSync(join(tmpdir(), `warren-bench-fwd-${n}-`)));
  const [a, b] = (await Promise.all(
    ['a', 'b'].map((n, i) => startWarrenProcess(['--data-dir', dirs[i]!, '--cluster-nats', nats.urls, '--node-name', n], 60_000, [], true)),
  )) as [WarrenProcess, WarrenProcess];
  try {
    const onB = await (await amqplib.connect(b.url)).createChannel();
    await onB.assertQueue('bench-remote', { durable: false });
    const connA = await amqplib.connect(a.url);
    const onA = await connA.createConfirmChannel();
    await onA.assertQueue('bench-local', { durable: false });
    for (let i = 0; i < 200; i++) {
      const ok = await onA.checkQueue('bench-remote').then(() => true, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const onA2 = await connA.createConfirmChannel();
    // Each queue consumed (no-ack) on its owner node, so neither pages: the forward path alone differs.
    await onA.consume('bench-local', () => undefined, { noAck: true });
    await onB.consume('bench-remote', () => undefined, { noAck: true });
    const results: Record<'local' | 'remote', { rate: number[]; aUs: number[]; bUs: number[] }> = { local: { rate: [], aUs: [], bUs: [] }, remote: { rate: [], aUs: [], bUs: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of ['local', 'remote'] as const) {
        const queue = kind === 'local' ? 'bench-local' : 'bench-remote';
        const [a0, b0, t0] = [cpuMs(a.child.pid!), cpuMs(b.child.pid!), performance.now()];
        await publishAll(onA2, queue);
        const [a1, b1, t1] = [cpuMs(a.child.pid!), cpuMs(b.child.pid!), performance.now()];
        results[kind].rate.push(N / ((t1 - t0) / 1000));
        results[kind].aUs.push(((a1 - a0) * 1000) / N);
        results[kind].bUs.push(((b1 - b0) * 1000) / N);
      }
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`N=${N} size=${SIZE} B rounds=${ROUNDS} load ${load}`);
    for (const kind of ['local', 'remote'] as const) {
      const r = results[kind];
      console.log(`${kind.padEnd(6)} ${Math.round(median(r.rate)).toLocaleString('en')} msg/s; cpu a ${median(r.aUs).toFixed(2)} µs/msg, b ${median(r.bUs).toFixed(2)} µs/msg`);
    }
    await connA.close();
  } finally {
    await Promise.all([a.kill('SIGTERM'), b.kill('SIGTERM')]);
    await nats.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
