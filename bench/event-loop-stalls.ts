/**
 * Issue check: bulk work must not freeze other clients. For each scenario the broker runs in this
 * process (so `monitorEventLoopDelay` sees its event loop), the bulk client runs in one worker
 * thread and an unrelated "probe" client in another: the probe publishes one message to its own
 * queue and basic.gets it back, every 5 ms, and we report that round trip (p50/p99/max) while the
 * bulk work runs, next to the broker's event-loop delay (p99/max) and the bulk work's throughput.
 * "stall cpu ms" is the longest stall as the main thread's CPU time (bench/support/stall-cpu.ts):
 * on a shared machine the wall-clock figures grow with the load, that one far less.
 *
 *   node --import tsx bench/event-loop-stalls.ts [--scale 0.1] [--only deliver,tx,requeue,ackmulti,nackmulti,close,declare]
 *
 * Scenarios at scale 1 (the sizes):
 *   deliver  1,000,000 queued messages to one consumer with prefetch 0
 *   tx       tx.commit of 1,000,000 held publishes
 *   requeue  closing a channel that holds 1,000,000 unacked deliveries
 *   ackmulti one basic.ack multiple=true settling 1,000,000 unacked deliveries
 *   nackmulti one basic.nack multiple=true requeue=true of 1,000,000 unacked deliveries
 *   close    closing 2,000 connections (one exclusive queue each) while 100,000 queues exist
 *   declare  10,000 durable queue.declares over 100 channels of one connection
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ClassId } from '../src/protocol/constants.js';
import { writeBodyFrames, writeHeaderFrame } from '../src/protocol/content-header.js';
import { encodeBasicPublishFrame, encodeMethodFrame } from '../src/protocol/methods.generated.js';
import { Writer } from '../src/protocol/writer.js';
import { AmqpConnection, parseAmqpUrl } from './perf/amqp-client.js';
import { startStallCpu } from './support/stall-cpu.js';

type Scenario = 'deliver' | 'tx' | 'requeue' | 'ackmulti' | 'nackmulti' | 'close' | 'declare';
const SCENARIOS: readonly Scenario[] = ['deliver', 'tx', 'requeue', 'ackmulti', 'nackmulti', 'close', 'declare'];

interface Sizes {
  readonly messages: number;
  readonly queues: number;
  readonly connections: number;
  readonly declares: number;
}

interface WorkerInput {
  readonly role: 'probe' | 'driver';
  readonly url: string;
  readonly scenario: Scenario;
  readonly sizes: Sizes;
}

type ToMain =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly items: number }
  | { readonly type: 'samples'; readonly rtts: number[] }
  | { readonly type: 'error'; readonly message: string };

const PROBE_QUEUE = 'stall-probe';
const BULK_QUEUE = 'stall-bulk';
const PROBE_INTERVAL_MS = 5;
const BODY = Buffer.alloc(16, 'x');

// ---- the clients (worker threads) -------------------------------------------------------------

/** publish + header + body of one small transient message, `count` times back to back. */
function publishFrames(channel: number, routingKey: string, count: number): Buffer {
  const w = new Writer(4096);
  for (let i = 0; i < count; i++) {
    encodeBasicPublishFrame(w, channel, 0, '', routingKey, false, false);
    writeHeaderFrame(w, channel, ClassId.basic, BODY.length, Buffer.from([0, 0]));
    writeBodyFrames(w, channel, BODY, 131072);
  }
  return w.take();
}

async function publishMany(conn: AmqpConnection, channel: number, n: number): Promise<void> {
  const batch = publishFrames(channel, BULK_QUEUE, 1000);
  for (let sent = 0; sent < n; ) {
    const k = Math.min(1000, n - sent);
    const chunk = k === 1000 ? batch : publishFrames(channel, BULK_QUEUE, k);
    sent += k;
    if (!conn.socket.write(chunk)) await new Promise((r) => conn.socket.once('drain', r));
  }
}

/** Waits until the broker has handled everything sent on the channel before (a synchronous reply). */
async function messageCount(conn: AmqpConnection, channel: number): Promise<number> {
  return (await conn.declareQueue(channel, BULK_QUEUE, false, {}, true)).messageCount;
}

async function fillBulkQueue(conn: AmqpConnection, n: number): Promise<void> {
  await conn.openChannel(1);
  await conn.declareQueue(1, BULK_QUEUE, false, {});
  await publishMany(conn, 1, n);
  while ((await messageCount(conn, 1)) < n) await new Promise((r) => setTimeout(r, 50));
}

/** Resolves once `n` basic.deliver frames arrived. */
function countDeliveries(conn: AmqpConnection, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    conn.fast = {
      onDeliver: () => {
        if (++seen === n) resolve();
      },
    };
  });
}

async function runDriver(input: WorkerInput, go: Promise<void>): Promise<number> {
  const url = parseAmqpUrl(input.url);
  const { messages, queues, connections, declares } = input.sizes;
  const port = parentPort as NonNullable<typeof parentPort>;
  const conn = await AmqpConnection.open(url, 'stall-driver');
  switch (input.scenario) {
    case 'deliver': {
      await fillBulkQueue(conn, messages);
      port.postMessage({ type: 'ready' } satisfies ToMain);
      await go;
      const all = countDeliveries(conn, messages);
      await conn.consume(1, BULK_QUEUE, 'bulk', false);
      await all;
      return messages;
    }
    case 'tx': {
      await conn.openChannel(1);
      await conn.declareQueue(1, BULK_QUEUE, false, {});
      await conn.call(1, { name: 'tx.select' }, 'tx.select-ok');
      await publishMany(conn, 1, messages);
      await messageCount(conn, 1); // every publish is held by now
      port.postMessage({ type: 'ready' } satisfies ToMain);
      await go;
      await conn.call(1, { name: 'tx.commit' }, 'tx.commit-ok');
      return messages;
    }
    case 'requeue': {
      await fillBulkQueue(conn, messages);
      const all = countDeliveries(conn, messages);
      await conn.consume(1, BULK_QUEUE, 'bulk', false);
      await all;
      await conn.openChannel(2);
      port.postMessage({ type: 'ready' } satisfies ToMain);
      await go;
      await conn.call(1, { name: 'channel.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 }, 'channel.close-ok');
      while ((await messageCount(conn, 2)) < messages) await new Promise((r) => setTimeout(r, 10));
      return messages;
    }
    case 'ackmulti':
    case 'nackmulti': {
      await fillBulkQueue(conn, messages);
      const all = countDeliveries(conn, messages);
      await conn.consume(1, BULK_QUEUE, 'bulk', false);
      await all;
      port.postMessage({ type: 'ready' } satisfies ToMain);
      await go;
      const settle =
        input.scenario === 'ackmulti'
          ? ({ name: 'basic.ack', deliveryTag: messages, multiple: true } as const)
          : ({ name: 'basic.nack', deliveryTag: messages, multiple: true, requeue: true } as const);
      const w = new Writer(256);
      encodeMethodFrame(w, 1, settle);
      // Cancel first: the requeued messages must stay in the queue for the count below.
      await conn.call(1, { name: 'basic.cancel', consumerTag: 'bulk', nowait: false }, 'basic.cancel-ok');
      conn.socket.write(w.take());
      // The broker handles frames after the settle only once it is done: this answer marks the end.
      const left = await messageCount(conn, 1);
      if (left !== (input.scenario === 'ackmulti' ? 0 : messages)) throw new Error(`${left} messages left in the queue`);
      return messages;
    }
    case 'close': {
      await conn.openChannel(1);
      const w = new Writer(65536);
      for (let i = 0; i < queues; i++) {
        const m = { name: 'queue.declare', ticket: 0, queue: `q-${i}`, passive: false, durable: false, exclusive: false, autoDelete: false, nowait: true, arguments: {} } as const;
        encodeMethodFrame(w, 1, m);
        if (w.pos > 60000 && !conn.socket.write(w.take())) await new Promise((r) => conn.socket.once('drain', r));
      }
      conn.socket.write(w.take());
      await conn.declareQueue(1, 'q-0', false, {}, true);
      const owners: AmqpConnection[] = [];
      for (let i = 0; i < connections; i++) {
        const c = await AmqpConnection.open(url, `owner-${i}`);
        await c.openChannel(1);
        await c.call(1, { name: 'queue.declare', ticket: 0, queue: '', passive: false, durable: false, exclusive: true, autoDelete: false, nowait: false, arguments: {} }, 'queue.declare-ok');
        owners.push(c);
      }
      port.postMessage({ type: 'ready' } satisfies ToMain);
      await go;
      // Dropping the sockets: the broker's close path runs once per connection, as on a client crash.
      for (const c of owners) c.socket.destroy();
      return connections; // the main thread waits until the broker has seen every close
    }
    case 'declare': {
      const channels = 100;
      for (let c = 1; c <= channels; c++) await conn.openChannel(c);
      port.postMessage({ type: 'ready' } satisfies ToMain);
      await go;
      const per = Math.ceil(declares / channels);
      await Promise.all(
        Array.from({ length: channels }, async (_, i) => {
          for (let k = 0; k < per; k++) await conn.declareQueue(i + 1, `durable-${i}-${k}`, true, {});
        }),
      );
      return per * channels;
    }
  }
}

async function runProbe(input: WorkerInput): Promise<number[]> {
  const conn = await AmqpConnection.open(parseAmqpUrl(input.url), 'stall-probe');
  await conn.openChannel(1);
  await conn.declareQueue(1, PROBE_QUEUE, false, {});
  const one = publishFrames(1, PROBE_QUEUE, 1);
  const get = { name: 'basic.get', ticket: 0, queue: PROBE_QUEUE, noAck: true } as const;
  let stopped = false;
  let rtts: number[] = [];
  const port = parentPort as NonNullable<typeof parentPort>;
  port.on('message', (m: string) => {
    if (m === 'start') rtts = []; // only round trips during the bulk work count
    else stopped = true;
  });
  port.postMessage({ type: 'ready' } satisfies ToMain);
  while (!stopped) {
    const t0 = performance.now();
    conn.socket.write(one);
    await conn.call(1, get, 'basic.get-ok');
    rtts.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
  }
  return rtts;
}

function workerMain(): void {
  const input = workerData as WorkerInput;
  const port = parentPort as NonNullable<typeof parentPort>;
  const work =
    input.role === 'probe'
      ? runProbe(input).then((rtts) => port.postMessage({ type: 'samples', rtts } satisfies ToMain))
      : runDriver(input, new Promise<void>((resolve) => port.once('message', () => resolve()))).then((items) =>
          port.postMessage({ type: 'done', items } satisfies ToMain),
        );
  // The main thread terminates the worker once it has the result.
  work.catch((err: unknown) => port.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies ToMain));
}

// ---- the broker and the report (main thread) --------------------------------------------------

/** Node 20 does not carry the tsx loader into workers: the worker registers it, then imports this file. */
function startWorker(input: WorkerInput): Worker {
  const api = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  return new Worker(code, { eval: true, workerData: input });
}

function nextMessage(w: Worker, type: ToMain['type']): Promise<ToMain> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ToMain): void => {
      if (m.type === 'error') reject(new Error(m.message));
      else if (m.type === type) resolve(m);
      else return;
      w.off('message', onMessage);
    };
    w.on('message', onMessage);
    w.once('error', reject);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

interface Row {
  scenario: string;
  size: string;
  seconds: number;
  perSecond: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** The most main-thread CPU time between two 1 ms ticks (bench/support/stall-cpu.ts): the loop max less the machine's load. */
  stallCpuMs: number;
  rttP50Ms: number;
  rttP99Ms: number;
  rttMaxMs: number;
  probes: number;
}

async function runScenario(scenario: Scenario, sizes: Sizes): Promise<Row> {
  const { startBroker } = await import('../src/index.js');
  const { silentLogger } = await import('../src/util/logger.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-stalls-'));
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), consumerTimeout: 0, heartbeat: 0, memoryHighWatermark: 0.95 });
  const spawnRole = (role: WorkerInput['role']): Worker => startWorker({ role, url: broker.url, scenario, sizes });
  try {
    const driver = spawnRole('driver');
    const driverReady = nextMessage(driver, 'ready');
    await driverReady;
    const probe = spawnRole('probe');
    await nextMessage(probe, 'ready');
    await new Promise((r) => setTimeout(r, 200)); // the probe's first, cold round trips are not counted
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const done = nextMessage(driver, 'done');
    const samples = nextMessage(probe, 'samples');
    probe.postMessage('start');
    loop.enable();
    const stallCpu = startStallCpu();
    // The monitor's first tick only starts its clock: a stall before it would go unrecorded.
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    driver.postMessage('go');
    const { items } = (await done) as { items: number };
    if (scenario === 'close') {
      const vhost = broker.vhosts.get('/');
      // Two connections stay (driver, probe); every exclusive queue must be gone.
      while (broker.connectionCount() > 2 || (vhost?.queues.size ?? 0) > sizes.queues + 1) await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - t0) / 1000;
    // The 'done' message can arrive in the same poll phase that ends a stall: let the delay
    // monitor's timer fire once more, or it never records that stall.
    await new Promise((r) => setTimeout(r, 20));
    loop.disable();
    const cpu = stallCpu();
    probe.postMessage('stop');
    const rtts = ((await samples) as { rtts: number[] }).rtts.sort((a, b) => a - b);
    await Promise.all([driver.terminate(), probe.terminate()]);
    const size =
      scenario === 'close' ? `${sizes.connections} conns / ${sizes.queues} queues` : scenario === 'declare' ? `${items} queues` : `${sizes.messages} msgs`;
    return {
      scenario,
      size,
      seconds: +seconds.toFixed(2),
      perSecond: Math.round(items / seconds),
      loopP99Ms: +(loop.percentile(99) / 1e6).toFixed(1),
      loopMaxMs: +(loop.max / 1e6).toFixed(1),
      stallCpuMs: cpu.maxCpuMs,
      rttP50Ms: +quantile(rtts, 0.5).toFixed(1),
      rttP99Ms: +quantile(rtts, 0.99).toFixed(1),
      rttMaxMs: +(rtts[rtts.length - 1] ?? NaN).toFixed(1),
      probes: rtts.length,
    };
  } finally {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i < 0 ? undefined : args[i + 1];
  };
  const scale = Number(flag('--scale') ?? 1);
  const only = (flag('--only')?.split(',') ?? SCENARIOS) as Scenario[];
  const sizes: Sizes = {
    messages: Math.round(1_000_000 * scale),
    queues: Math.round(100_000 * scale),
    connections: Math.round(2_000 * scale),
    declares: Math.round(10_000 * scale),
  };
  const rows: Row[] = [];
  for (const s of only) {
    const row = await runScenario(s, sizes);
    console.error(JSON.stringify(row));
    rows.push(row);
  }
  console.log('| scenario | size | seconds | items/s | loop p99 ms | loop max ms | stall cpu ms | rtt p50 ms | rtt p99 ms | rtt max ms | probes |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.scenario} | ${r.size} | ${r.seconds} | ${r.perSecond} | ${r.loopP99Ms} | ${r.loopMaxMs} | ${r.stallCpuMs} | ${r.rttP50Ms} | ${r.rttP99Ms} | ${r.rttMaxMs} | ${r.probes} |`);
  }
}

if (isMainThread) {
  await main();
} else {
  workerMain();
}
