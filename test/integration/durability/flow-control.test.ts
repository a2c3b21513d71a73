import amqp from 'amqplib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/broker.js';
import { startWarrenProcess } from '../../helpers/process.js';

const WATERMARK = 160 * 2 ** 20;
// RSS = memory in use (what the watermark counts) + the runtime itself (V8, tsx's compiler, code).
const RUNTIME_ALLOWANCE = 160 * 2 ** 20;

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/\d+/)?.[0] ?? 0) * 1024;
}

describe('memory high-watermark', () => {
  it('blocks a publisher with no consumer, bounds memory, loses nothing, and resumes after a consumer drains', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-flow-'));
    const proc = await startWarrenProcess(['--data-dir', dataDir, '--memory-high-watermark', '160MiB']);
    try {
      const pub = await amqp.connect(proc.url);
      const events: string[] = [];
      pub.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
      pub.on('unblocked', () => events.push('unblocked'));
      const ch = await pub.createChannel();
      // A priority queue keeps its backlog in memory (plain queues page theirs to disk), so the
      // backlog here really does press on memory until the alarm.
      await ch.assertQueue('flood', { durable: false, maxPriority: 1 });
      const body = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      let peakRss = 0;
      // Publish until the broker says blocked (and a little beyond: those wait in socket buffers).
      const deadline = Date.now() + 60_000;
      while (!events.includes('blocked:low on memory') && Date.now() < deadline) {
        for (let i = 0; i < 16; i++) {
          body.writeUInt32BE(sent, 0);
          ch.sendToQueue('flood', body);
          sent++;
        }
        await new Promise((r) => setTimeout(r, 2));
        peakRss = Math.max(peakRss, rssOf(proc.child.pid!));
      }
      expect(events[0]).toBe('blocked:low on memory');
      for (let i = 0; i < 200; i++) {
        await new Promise((r) => setTimeout(r, 10));
        peakRss = Math.max(peakRss, rssOf(proc.child.pid!));
      }
      console.log(`flow control: sent ${sent} x 64 KiB before the block; peak RSS ${Math.round(peakRss / 2 ** 20)} MiB, watermark ${WATERMARK / 2 ** 20} MiB`);
      expect(peakRss).toBeLessThan(WATERMARK + RUNTIME_ALLOWANCE);
      const alarm = proc.logs.find((l) => l['event'] === 'alarm.memory.set');
      expect(alarm?.['limitMiB']).toBe(160);

      // A consumer on another connection drains everything; the publisher is then released.
      const cons = await amqp.connect(proc.url);
      const cch = await cons.createChannel();
      await cch.prefetch(200);
      const seen = new Set<number>();
      await cch.consume('flood', (m) => {
        if (!m) return;
        seen.add(m.content.readUInt32BE(0));
        cch.ack(m);
      });
      await eventually(() => seen.size === sent, 60_000, `consumed ${seen.size} of ${sent}`);
      await eventually(() => events.includes('unblocked'), 20_000, 'no connection.unblocked');
      expect(seen.size).toBe(sent);
      // The publisher works again.
      body.writeUInt32BE(sent, 0);
      ch.sendToQueue('flood', body);
      await eventually(() => seen.has(sent), 10_000, 'publish after unblock not delivered');
      expect(proc.logs.some((l) => l['event'] === 'alarm.memory.cleared')).toBe(true);
      await cons.close();
      await pub.close();
    } finally {
      await proc.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('free-disk limit', () => {
  it('blocks connections that publish while free disk is below the limit; consumers are not blocked', async () => {
    const { openBroker } = await import('../../helpers/broker.js');
    const { broker, close } = await openBroker({ diskFreeLimit: 1e15 }); // more than any disk has free
    try {
      const consumer = await amqp.connect(broker.url);
      const cch = await consumer.createChannel();
      const { queue } = await cch.assertQueue('', { exclusive: false, autoDelete: true });
      const pub = await amqp.connect(broker.url);
      const blocked = new Promise<string>((resolve) => pub.on('blocked', resolve));
      const ch = await pub.createChannel();
      ch.sendToQueue(queue, Buffer.from('first'));
      expect(await blocked).toBe('low on disk');
      // The consumer's connection is still served: the message published before the block arrives.
      const got = await new Promise<string>((resolve) => void cch.consume(queue, (m) => m && resolve(m.content.toString()), { noAck: true }));
      expect(got).toBe('first');
      pub.on('error', () => undefined);
      await consumer.close();
    } finally {
      await close();
    }
  });
});

describe('heartbeats while blocked', () => {
  it('does not drop a blocked publisher for missed heartbeats (its reads are paused, not silent)', async () => {
    const { openBroker } = await import('../../helpers/broker.js');
    const { broker, close } = await openBroker({ diskFreeLimit: 1e15 });
    try {
      const url = `${broker.url}?heartbeat=1`;
      const pub = await amqp.connect(url);
      let closed = false;
      pub.on('close', () => (closed = true));
      pub.on('error', () => undefined);
      const blocked = new Promise<string>((resolve) => pub.on('blocked', resolve));
      const ch = await pub.createChannel();
      ch.sendToQueue('anything', Buffer.from('x'));
      expect(await blocked).toBe('low on disk');
      await new Promise((r) => setTimeout(r, 3500)); // several heartbeat intervals
      expect(closed).toBe(false);
      expect(broker.connectionCount()).toBe(1);
    } finally {
      await close();
    }
  });
});
