/**
 * What a message's headers table costs the broker: memory per held message and CPU per publish, for
 * tables of 10, 1,000 and 17,000 entries (the last ~102 KB on the wire, inside the default frame_max).
 *
 *   npx tsx bench/header-tables.ts [--entries 10,1000,17000]
 *
 * An in-process broker; a raw client publishes pre-built frames (so the client costs one socket write)
 * in confirm mode to a queue without consumers, and waits for the last confirm. CPU is the process's
 * user+system time over that window divided by the messages; memory is heap+external (after a full GC)
 * and RSS, before and after, divided by the messages held.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startBroker } from '../src/index.js';
import { silentLogger } from '../src/util/logger.js';
import { RawClient, rawFrame, rawMethodFrame } from '../test/helpers/raw-client.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = process.argv.indexOf('--entries');
const sizes = arg > 0 ? (process.argv[arg + 1] ?? '').split(',').map(Number) : [10, 1000, 17000];
const HELD: Record<number, number> = { 10: 20000, 1000: 2000, 17000: 300 };

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const shortstr = (s: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);

function publishBytes(queue: string, entries: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < entries; i++) parts.push(shortstr(i.toString(36).padStart(3, '0')), Buffer.from([0x74, 1]));
  const table = Buffer.concat(parts);
  const properties = Buffer.concat([Buffer.from([0x20, 0x00]), u32(table.length), table]);
  const body = Buffer.alloc(16, 0x61);
  const publish = rawMethodFrame(1, 60, 40, Buffer.concat([Buffer.from([0, 0]), shortstr(''), shortstr(queue), Buffer.from([0])]));
  const header = rawFrame(2, 1, Buffer.concat([Buffer.from([0, 60, 0, 0]), u32(0), u32(body.length), properties]));
  return Buffer.concat([publish, header, rawFrame(3, 1, body)]);
}

/** The client's side is one prebuilt buffer written repeatedly, so the CPU measured is the broker's. */
async function publishAll(c: RawClient, one: Buffer, count: number, lastSeq: number): Promise<void> {
  const batch = Math.max(1, Math.floor((4 << 20) / one.length));
  const full = Buffer.concat(new Array<Buffer>(Math.min(batch, count)).fill(one));
  for (let sent = 0; sent < count; sent += batch) {
    const n = Math.min(batch, count - sent);
    c.send(n === batch ? full : full.subarray(0, n * one.length));
  }
  await c.waitFor((f) => f.kind === 'method' && f.method.name === 'basic.ack' && f.method.deliveryTag >= lastSeq, 'last confirm', 600_000);
}

function memory(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log('entries  wire bytes/msg  held msgs  heap+external bytes/msg  RSS bytes/msg  publish CPU µs/msg');
for (const entries of sizes) {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-headers-'));
  const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
  const c = await RawClient.open(broker.port);
  c.keepFrames = true;
  await c.openChannel(1);
  const queue = `held-${entries}`;
  c.sendMethod(1, { name: 'queue.declare', ticket: 0, queue, passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
  await c.waitMethod('queue.declare-ok', 1);
  c.sendMethod(1, { name: 'confirm.select', nowait: false });
  await c.waitMethod('confirm.select-ok', 1);
  const one = publishBytes(queue, entries);
  const held = HELD[entries] ?? 1000;

  // Warm-up (JIT), then purge so only the measured messages are held.
  const warm = Math.min(200, held);
  await publishAll(c, one, warm, warm);
  c.sendMethod(1, { name: 'queue.purge', ticket: 0, queue, nowait: false });
  await c.waitMethod('queue.purge-ok', 1);
  c.frames.length = 0;

  const before = memory();
  const cpu = process.cpuUsage();
  await publishAll(c, one, held, warm + held);
  const used = process.cpuUsage(cpu);
  const after = memory();
  console.log(
    [
      String(entries).padStart(7),
      fmt(one.length).padStart(15),
      fmt(held).padStart(10),
      fmt((after.heap - before.heap) / held).padStart(24),
      fmt((after.rss - before.rss) / held).padStart(14),
      ((used.user + used.system) / held).toFixed(1).padStart(19),
    ].join('  '),
  );
  c.destroy();
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
}
