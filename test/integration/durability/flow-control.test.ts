import amqp from 'amqplib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

describe('memory alarms per broker', () => {
  it('two embedded brokers in one process keep independent alarms, counted from what each holds', async () => {
    const { openBroker } = await import('../../helpers/broker.js');
    const small = await openBroker({ memoryHighWatermark: '4MiB' });
    const other = await openBroker({ memoryHighWatermark: '4MiB' });
    try {
      const pub = await amqp.connect(small.broker.url);
      const events: string[] = [];
      pub.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
      pub.on('unblocked', () => events.push('unblocked'));
      const ch = await pub.createChannel();
      await ch.assertQueue('fill', { durable: false, maxPriority: 1 }); // kept in memory
      const body = Buffer.alloc(64 * 1024, 1);
      for (let i = 0; i < 96 && !events.includes('blocked:low on memory'); i++) {
        ch.sendToQueue('fill', body); // 6 MiB in all, past the 4 MiB watermark
        await new Promise((r) => setTimeout(r, 5));
      }
      await eventually(() => events.includes('blocked:low on memory'), 10_000, 'the full broker did not block its publisher');

      // The process holds far more than 4 MiB, yet the other broker holds nothing: it is not alarmed.
      const otherPub = await amqp.connect(other.broker.url);
      let otherBlocked = false;
      otherPub.on('blocked', () => (otherBlocked = true));
      const och = await otherPub.createConfirmChannel();
      await och.assertQueue('fine');
      for (let i = 0; i < 8; i++) {
        och.sendToQueue('fine', Buffer.from(`m${i}`));
        await och.waitForConfirms();
        await new Promise((r) => setTimeout(r, 100)); // several alarm checks
      }
      expect(otherBlocked).toBe(false);
      expect((await och.checkQueue('fine')).messageCount).toBe(8);

      // Draining the full broker clears its alarm at once: the count falls, no garbage collection needed.
      const cons = await amqp.connect(small.broker.url);
      const cch = await cons.createChannel();
      const { messageCount } = await cch.checkQueue('fill');
      await cch.purgeQueue('fill');
      expect(messageCount).toBeGreaterThan(60);
      await eventually(() => events.includes('unblocked'), 5000, 'not unblocked after the purge');
      await cons.close();
      await otherPub.close();
      await pub.close();
    } finally {
      await small.close();
      await other.close();
    }
  });

  it('importing the library changes no V8 flag (no --expose-gc for a forced GC)', async () => {
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '-e', "await import('./src/index.ts'); const vm = await import('node:vm'); console.log(vm.runInNewContext('typeof gc'));"],
      { cwd: fileURLToPath(new URL('../../..', import.meta.url)), encoding: 'utf8' },
    );
    expect(out.trim()).toBe('undefined');
  }, 30_000);
});

/**
 * Floods against a broker process with a small V8 heap (256 MB, and 128 MB for the heap case). Each is
 * published to a queue with no consumer until the alarm blocks the publisher; a consumer then gets
 * every message and the process never aborts.
 * - The header-table flood of the robustness issue (2,900 messages of ~108 KB carrying 17,000-entry
 *   header tables): a held message now costs about its wire size, so it is the watermark on what the
 *   broker holds (128 MiB here) that stops it, long before the heap.
 * - Small messages in a priority queue (kept whole in memory, never paged): per-message objects fill
 *   the heap, and the heap limit (70% of heap_size_limit) stops them with the watermark far away.
 */
describe('memory alarm: floods from one client', () => {
  const MESSAGES = Number(process.env['HEADER_FLOOD_MESSAGES'] ?? 2900);

  async function flood(options: {
    readonly watermark: string;
    readonly heapMb: number;
    readonly queueArgs: Record<string, { type: 'int8'; value: number }>;
    readonly messages: number;
    readonly headers: Record<string, { type: 'int16'; value: number }>;
    readonly body: Buffer;
  }): Promise<{ cause: unknown; consumed: number }> {
    const { RawClient } = await import('../../helpers/raw-client.js');
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-heap-'));
    const proc = await startWarrenProcess(['--data-dir', dataDir, '--memory-high-watermark', options.watermark], 20_000, [`--max-old-space-size=${options.heapMb}`]);
    try {
      const { body, headers } = options;
      const pub = await RawClient.open(proc.port, { capabilities: { 'connection.blocked': true } });
      pub.keepFrames = false;
      await pub.openChannel(1);
      pub.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'flood', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: options.queueArgs });
      await pub.waitMethod('queue.declare-ok');
      const cons = await RawClient.open(proc.port);
      cons.keepFrames = false;
      await cons.openChannel(1);
      let consuming = false;
      const consume = async (): Promise<void> => {
        // Blocked before memory ran out: let the broker sit there a moment, then drain it.
        consuming = true;
        await new Promise((r) => setTimeout(r, 1000));
        expect(proc.child.exitCode).toBeNull();
        cons.sendMethod(1, { name: 'basic.consume', ticket: 0, queue: 'flood', consumerTag: 'c', noLocal: false, noAck: true, exclusive: false, nowait: false, arguments: {} });
      };
      const blocked = pub.waitMethod('connection.blocked', 0, 900_000).then(consume);
      blocked.catch(() => undefined);
      const bodyFrame = Buffer.concat([Buffer.from([3, 0, 1]), u32(body.length), body, Buffer.from([0xce])]);
      for (let sent = 0; sent < options.messages; sent++) {
        pub.sendMethod(1, { name: 'basic.publish', ticket: 0, exchange: '', routingKey: 'flood', mandatory: false, immediate: false });
        pub.sendHeader(1, body.length, { headers });
        if (!pub.socket.write(bodyFrame)) {
          await new Promise((r) => pub.socket.once('drain', r)); // comes once the consumer frees memory
        }
      }
      expect(pub.count('connection.blocked')).toBeGreaterThan(0);
      expect(consuming).toBe(true);
      const total = options.messages;
      await eventually(() => cons.count('body') === total || proc.child.exitCode !== null, 60_000 + total * 2, `consumed ${cons.count('body')} of ${total}`);
      expect(proc.child.exitCode).toBeNull();
      const cause = proc.logs.find((l) => l['event'] === 'alarm.memory.set')?.['cause'];
      const consumed = cons.count('body');
      pub.destroy();
      cons.destroy();
      return { cause, consumed };
    } finally {
      await proc.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('a header-table flood is stopped by the watermark on what the broker holds; nothing is lost, no abort', async () => {
    const headers: Record<string, { type: 'int16'; value: number }> = {};
    for (let i = 0; i < 17_000; i++) headers[i.toString(36).padStart(3, '0')] = { type: 'int16', value: i };
    const { cause, consumed } = await flood({ watermark: '128MiB', heapMb: 256, queueArgs: {}, messages: MESSAGES, headers, body: Buffer.alloc(6 * 1024, 2) });
    expect(cause).toBe('held');
    expect(consumed).toBe(MESSAGES);
  }, 900_000);

  it('small messages filling the heap are stopped by the heap limit, with the watermark far away; nothing is lost, no abort', async () => {
    const messages = 400_000;
    const { cause, consumed } = await flood({
      watermark: '4GiB',
      heapMb: 128,
      queueArgs: { 'x-max-priority': { type: 'int8', value: 2 } },
      messages,
      headers: { a: { type: 'int16', value: 1 } },
      body: Buffer.alloc(8, 1),
    });
    expect(cause).toBe('heap');
    expect(consumed).toBe(messages);
  }, 900_000);
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
