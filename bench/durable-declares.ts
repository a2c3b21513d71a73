/**
 * Durable queue.declares from a client that pipelines them (sends all, then reads the replies),
 * as a provisioning script or a client library's batch declare does. Every declare-ok waits for its
 * definitions record's fdatasync; this reports declares/s, so it shows whether those fsyncs are
 * shared (group commit) or paid one per declare.
 *
 *   node --import tsx bench/durable-declares.ts [--declares 10000] [--channels 1,10,100]
 *
 * Broker and client run in this process (the client only writes and counts frames); the data
 * directory is a fresh temporary directory on the default filesystem, so the fsync cost is that
 * disk's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { encodeMethodFrame } from '../src/protocol/methods.generated.js';
import { Writer } from '../src/protocol/writer.js';
import { startBroker } from '../src/index.js';
import { RawClient } from '../test/helpers/raw-client.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const declares = Number(arg('declares', '10000'));
const channelCounts = arg('channels', '1,10,100').split(',').map(Number);

async function run(channels: number): Promise<{ perSecond: number; ms: number; loopMaxMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-declares-'));
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logLevel: 'warn' });
  try {
    const raw = await RawClient.open(broker.port);
    for (let c = 1; c <= channels; c++) await raw.openChannel(c);
    const w = new Writer(1 << 20);
    for (let i = 0; i < declares; i++) {
      const channel = (i % channels) + 1;
      const m = { name: 'queue.declare', ticket: 0, queue: `durable-${i}`, passive: false, durable: true, exclusive: false, autoDelete: false, nowait: false, arguments: {} } as const;
      encodeMethodFrame(w, channel, m);
    }
    const frames = w.take();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    raw.send(frames);
    await raw.waitFor(() => raw.count('queue.declare-ok') >= declares, `${declares} declare-oks`, 600_000);
    const ms = performance.now() - t0;
    loop.disable();
    await raw.close();
    return { perSecond: Math.round((declares * 1000) / ms), ms: Math.round(ms), loopMaxMs: Math.round(loop.max / 1e6) };
  } finally {
    await broker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.stdout.write(`${declares} durable queue.declares, pipelined on one connection\n`);
process.stdout.write('channels  declares/s  total ms  loop max ms\n');
for (const channels of channelCounts) {
  const r = await run(channels);
  process.stdout.write(`${String(channels).padStart(8)}  ${String(r.perSecond).padStart(10)}  ${String(r.ms).padStart(8)}  ${String(r.loopMaxMs).padStart(11)}\n`);
}
