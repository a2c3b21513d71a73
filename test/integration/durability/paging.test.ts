import amqp from 'amqplib';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';

// Past 20,000 ready messages a queue pages its tail out to disk (src/core/queue/queue.ts).
const N = 50_000;

let dataDir: string;
let broker: Broker;
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-paging-'));
  broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
});
afterEach(async () => {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function pageBytes(): number {
  try {
    return readdirSync(join(dataDir, 'pages')).reduce((n, f) => n + statSync(join(dataDir, 'pages', f)).size, 0);
  } catch {
    return 0;
  }
}

/** n messages of 100 bytes numbered first, first + 1, ... in their first 4 bytes. */
async function fill(ch: amqp.Channel, queue: string, n: number, options: amqp.Options.Publish = {}, first = 0): Promise<void> {
  for (let i = first; i < first + n; i++) {
    const body = Buffer.alloc(100);
    body.writeUInt32BE(i, 0);
    if (!ch.sendToQueue(queue, body, options)) await new Promise((r) => ch.once('drain', r));
  }
  await ch.checkQueue(queue);
}

/** The first n messages' numbers; fails saying how many came, rather than hanging, when fewer do. */
async function consumeAll(ch: amqp.Channel, queue: string, n: number, timeoutMs = 15_000): Promise<number[]> {
  const got: number[] = [];
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`consumed ${got.length} of ${n} messages; last ${got.at(-1)}`)), timeoutMs);
    void ch.consume(queue, (m) => {
      if (!m) return;
      got.push(m.content.readUInt32BE(0));
      if (got.length === n) resolve();
    }, { noAck: true });
  }).finally(() => clearTimeout(timer));
  return got;
}

describe('paging a long queue to disk', () => {
  it('keeps the tail on disk, counts it, and delivers everything in order', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await fill(ch, queue, N);
    expect((await ch.checkQueue(queue)).messageCount).toBe(N);
    await eventually(() => pageBytes() > 0, 5000, 'no page file written');
    expect(pageBytes()).toBeGreaterThan((N - 20_000) * 100);
    const got = await consumeAll(ch, queue, N);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    await eventually(() => pageBytes() === 0, 5000, 'page files not deleted once the tail was read back');
    await conn.close();
  });

  it('purges and deletes a paged queue, and x-max-length counts the paged tail', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await fill(ch, queue, N);
    expect((await ch.purgeQueue(queue)).messageCount).toBe(N);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    const { queue: limited } = await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 30_000 } });
    await fill(ch, limited, N);
    expect((await ch.checkQueue(limited)).messageCount).toBe(30_000);
    const first = await ch.get(limited, { noAck: true });
    expect(first && first.content.readUInt32BE(0)).toBe(N - 30_000); // drop-head dropped the oldest
    await conn.close();
  });

  it('expires a paged message where it sits, and only that one: its neighbours stay, in order', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await fill(ch, queue, 30_000);
    await fill(ch, queue, 1, { expiration: '50' }, 30_000); // lands in the paged tail
    await fill(ch, queue, 10, {}, 30_001);
    // It leaves while nobody consumes, where it sits on disk, not when a read reaches it.
    const deadline = Date.now() + 5000;
    while ((await ch.checkQueue(queue)).messageCount !== 30_010) {
      if (Date.now() > deadline) throw new Error(`the paged message did not expire: ${(await ch.checkQueue(queue)).messageCount} messages`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Which ones are left, not only how many: expiring a neighbour instead would keep the count.
    const got = await consumeAll(ch, queue, 30_010);
    expect(got).toEqual([...Array.from({ length: 30_000 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 30_001 + i)]);
    await conn.close();
  });

  it('persistent messages in a paged tail survive a restart, in order', async () => {
    let conn = await amqp.connect(broker.url);
    let ch = await conn.createConfirmChannel();
    await ch.assertQueue('paged-durable', { durable: true });
    await fill(ch, 'paged-durable', N, { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await broker.close();
    broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
    conn = await amqp.connect(broker.url);
    ch = await conn.createConfirmChannel();
    expect((await ch.checkQueue('paged-durable')).messageCount).toBe(N);
    const got = await consumeAll(ch, 'paged-durable', N);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
    await conn.close();
  });

  it('blocks publishers while page writes cannot keep up, holding a bounded amount in memory, then resumes', async () => {
    // The pages directory becomes a regular file: no segment can be created, so paged bytes
    // wait in memory (and are retried every second) until it is a directory again.
    rmSync(join(dataDir, 'pages'), { recursive: true, force: true });
    writeFileSync(join(dataDir, 'pages'), 'not a directory');
    const conn = await amqp.connect(broker.url);
    const events: string[] = [];
    conn.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
    conn.on('unblocked', () => events.push('unblocked'));
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const body = Buffer.alloc(64 * 1024);
    let sent = 0;
    const deadline = Date.now() + 30_000;
    // A page write that fails raises the disk alarm (store/write-health.ts), which usually blocks
    // first; either way publishers stop while the bytes wait in memory.
    const blockedReasons = ['blocked:low on disk', 'blocked:low on disk write throughput'];
    while (!events.some((e) => blockedReasons.includes(e)) && Date.now() < deadline && sent < 4096) {
      body.writeUInt32BE(sent++, 0);
      if (!ch.sendToQueue(queue, body)) await new Promise((r) => ch.once('drain', r));
      if (sent % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(events).toHaveLength(1);
    expect(blockedReasons).toContain(events[0]);
    // 32 MiB in the ready window, 64 MiB waiting for the disk, and what was on the wire.
    const inBroker = (): number => broker.readModel.queue('/', queue)!.messageBytesReady;
    await new Promise((r) => setTimeout(r, 500));
    expect(inBroker()).toBeLessThan((32 + 64 + 16) * 2 ** 20);
    rmSync(join(dataDir, 'pages'));
    await eventually(() => events.includes('unblocked'), 10_000, 'no connection.unblocked once writes could go');
    const got = await consumeAll(ch, queue, sent);
    expect(got).toEqual(Array.from({ length: sent }, (_, i) => i));
    await conn.close();
  });
});
