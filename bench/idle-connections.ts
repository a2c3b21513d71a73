/**
 * Issue check: RSS per idle connection. Starts Warren as its own process, opens N amqplib
 * connections with heartbeats, waits, and reports the broker's RSS growth per connection:
 *   node --import tsx bench/idle-connections.ts [connections] [heartbeatSeconds]
 */
import amqp from 'amqplib';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const n = Number(process.argv[2] ?? 500);
const heartbeat = Number(process.argv[3] ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'warren-idle-'));
const cli = process.env['CLI'] ?? 'dist/src/cli.js';
const child = spawn(process.execPath, [...(cli.endsWith('.ts') ? ['--import', 'tsx'] : []), cli, '--port', '0', '--bind', '127.0.0.1', '--management-port', 'off', '--prometheus-port', 'off', '--data-dir', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARREN_'))),
});
const port = await new Promise<number>((resolve) => {
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = buf.match(/"event":"broker.listening".*?"port":(\d+)/);
    if (m) resolve(Number(m[1]));
  });
});
const rss = (): number => Number(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1]) * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// 250 connections first, so one-time costs (the JIT, pools, start-up garbage the GC has not
// returned yet) are not charged to the measured ones.
const warm: amqp.ChannelModel[] = [];
for (let i = 0; i < 250; i++) warm.push(await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}?heartbeat=${heartbeat}`));
await sleep(2 * heartbeat * 1000);
const before = rss();
const conns: amqp.ChannelModel[] = [];
let closed = 0;
for (let i = 0; i < n; i++) {
  const c = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}?heartbeat=${heartbeat}`);
  c.on('close', () => closed++);
  c.on('error', () => undefined);
  conns.push(c);
}
await sleep(3 * heartbeat * 1000); // several heartbeat intervals pass; all must stay open
const after = rss();
const open = n - closed; // a connection dropped for missed heartbeats would have emitted 'close'
console.log(JSON.stringify({ connections: n, heartbeat, open, rssBeforeMiB: +(before / 2 ** 20).toFixed(1), rssAfterMiB: +(after / 2 ** 20).toFixed(1), bytesPerConnection: Math.round((after - before) / n) }));
for (const c of [...conns, ...warm]) await c.close();
child.kill('SIGTERM');
rmSync(dataDir, { recursive: true, force: true });
