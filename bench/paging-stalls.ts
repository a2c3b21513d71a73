/**
 * Issue check: does paging stall the broker? A producer floods a durable queue with persistent
 * 64 KiB messages (the tail pages to disk), then a consumer drains it, while an unrelated client
 * does publish/get round trips on its own queue. Reports the broker's event-loop delay (measured
 * inside the broker process by perf_hooks.monitorEventLoopDelay) and the unrelated client's
 * round trips, per phase, with throughput:
 *   node --import tsx bench/paging-stalls.ts [gigabytes=2] [bodyKiB=64]
 * BROKER_NODE_OPTIONS adds node flags to the broker (e.g. --cpu-prof), BROKER_STDOUT=<file> keeps its
 * output. BROKER_ROOT=<checkout> runs another checkout's src/cli.ts (before/after comparisons). An idle
 * process with the same probe runs alongside as a control: on a shared machine, CPU contention
 * alone delays every process, and only the broker's delays above the control's are its own.
 * loopDelayMs also carries the broker's CPU time (cpuMs) and its GCs per phase (count, major, pause
 * totals), which contention distorts far less than delays: compare those on a loaded machine.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';

const gigabytes = Number(process.argv[2] ?? 2);
const bodyBytes = Number(process.argv[3] ?? 64) * 1024;
const count = Math.ceil((gigabytes * 2 ** 30) / bodyBytes);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(process.env['BROKER_ROOT'] ?? join(here, '..'));
const dataDir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'warren-stalls-'));

interface LoopDelay {
  max: number;
  p99: number;
  p50: number;
  mean: number;
}

function startBrokerProcess(): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(root, 'src/cli.ts'), ['--port', '0', '--bind', '127.0.0.1', '--management-port', 'off', '--prometheus-port', 'off', '--data-dir', dataDir, '--log-level', 'info'], {
    cwd: root,
    execArgv: ['--import', 'tsx', '--import', join(here, 'support/loop-delay-probe.ts'), ...(process.env['BROKER_NODE_OPTIONS'] ?? '').split(' ').filter((a) => a !== '')],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARREN_'))),
  });
  return new Promise((res, rej) => {
    let buffered = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      if (process.env['BROKER_STDOUT'] !== undefined) appendFileSync(process.env['BROKER_STDOUT'], d);
      const m = /"event":"broker.listening"[^\n]*"port":(\d+)/.exec(buffered);
      if (m !== null) res({ child, port: Number(m[1]) });
      if (buffered.length > 1e6) buffered = buffered.slice(-1e5);
    });
    child.once('exit', (code) => rej(new Error(`broker exited with ${code}`)));
  });
}

function loopDelay(child: ChildProcess, command: 'reset' | 'report'): Promise<LoopDelay | undefined> {
  if (command === 'reset') {
    child.send('reset');
    return Promise.resolve(undefined);
  }
  return new Promise((res) => {
    child.once('message', (m) => res(m as LoopDelay));
    child.send('report');
  });
}

/** The unrelated client runs in its own process (bench/support/round-trip-pinger.ts). */
async function pinger(url: string): Promise<{ report: () => Promise<RoundTrips>; stop: () => Promise<void> }> {
  const child = fork(join(here, 'support/round-trip-pinger.ts'), [url], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise((res) => child.once('message', res));
  return {
    report: () =>
      new Promise((res) => {
        child.once('message', (m) => res(m as RoundTrips));
        child.send('report');
      }),
    stop: async () => {
      child.send('stop');
      await new Promise((res) => child.once('exit', res));
    },
  };
}

interface RoundTrips {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

const { child, port } = await startBrokerProcess();
const control = fork(join(here, 'support/idle-control.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
await new Promise((r) => setTimeout(r, 500));
const url = `amqp://guest:guest@127.0.0.1:${port}`;
try {
  const pub = await amqp.connect(url);
  const pch = await pub.createConfirmChannel();
  await pch.assertQueue('flood', { durable: true });
  const body = Buffer.alloc(bodyBytes, 7);

  const ping = await pinger(url);
  await ping.report();
  await loopDelay(child, 'reset');
  await loopDelay(control, 'reset');
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    body.writeUInt32BE(i, 0);
    if (!pch.sendToQueue('flood', body, { persistent: true })) await new Promise((r) => pch.once('drain', r));
    if (i % 512 === 511) await pch.waitForConfirms();
  }
  await pch.waitForConfirms();
  const fillS = (performance.now() - t0) / 1000;
  const fillLoop = await loopDelay(child, 'report');
  const fillControl = await loopDelay(control, 'report');
  const fillRtt = await ping.report();
  await pub.close();

  await loopDelay(child, 'reset');
  await loopDelay(control, 'reset');
  const cons = await amqp.connect(url);
  const cch = await cons.createChannel();
  await cch.prefetch(100);
  let received = 0;
  let outOfOrder = 0;
  const t1 = performance.now();
  await new Promise<void>((done) => {
    void cch.consume('flood', (m) => {
      if (m === null) return;
      if (m.content.readUInt32BE(0) !== received) outOfOrder++;
      received++;
      cch.ack(m);
      if (received === count) done();
    });
  });
  const drainS = (performance.now() - t1) / 1000;
  // The end of a drain is when the old page file was truncated: keep measuring a little longer.
  await new Promise((r) => setTimeout(r, 3000));
  const drainLoop = await loopDelay(child, 'report');
  const drainControl = await loopDelay(control, 'report');
  const drainRtt = await ping.report();
  await ping.stop();
  await cons.close();
  const mb = (count * bodyBytes) / 1e6;
  console.log(
    JSON.stringify({
      root,
      messages: count,
      bodyKiB: bodyBytes / 1024,
      gigabytes,
      fill: { seconds: Math.round(fillS * 10) / 10, MBps: Math.round(mb / fillS), loopDelayMs: fillLoop, idleProcessLoopDelayMs: fillControl, roundTripMs: fillRtt },
      drain: { seconds: Math.round(drainS * 10) / 10, MBps: Math.round(mb / drainS), outOfOrder, loopDelayMs: drainLoop, idleProcessLoopDelayMs: drainControl, roundTripMs: drainRtt },
    }),
  );
} finally {
  control.kill('SIGTERM');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
