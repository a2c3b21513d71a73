import amqp from 'amqplib';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { startWarrenProcess } from '../../helpers/process.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-durable-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (): Promise<Broker> => startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });

/** A broker on this test's data directory, with a client connection and a confirm channel. */
async function session(): Promise<{ broker: Broker; conn: amqp.ChannelModel; ch: amqp.ConfirmChannel }> {
  const broker = await start();
  const conn = await amqp.connect(broker.url);
  return { broker, conn, ch: await conn.createConfirmChannel() };
}

async function end(broker: Broker, conn: amqp.ChannelModel): Promise<void> {
  await conn.close();
  await broker.close();
}

async function getAll(ch: amqp.Channel, queue: string): Promise<amqp.GetMessage[]> {
  const out: amqp.GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: false });
    if (m === false) return out;
    out.push(m);
  }
}

describe('restart of an embedded broker', () => {
  it('keeps durable exchanges, queues (with arguments), bindings and persistent messages; drops transient ones', async () => {
    let { broker, conn, ch } = await session();
    await ch.assertExchange('d.topic', 'topic', { durable: true, autoDelete: false });
    await ch.assertExchange('t.fanout', 'fanout', { durable: false, autoDelete: false });
    await ch.assertQueue('d.q', { durable: true, arguments: { 'x-max-priority': 5, 'x-queue-mode': 'lazy' } });
    await ch.assertQueue('t.q', { durable: false });
    await ch.bindQueue('d.q', 'd.topic', 'a.#');
    await ch.bindQueue('d.q', 'amq.direct', 'direct-key');
    await ch.bindQueue('t.q', 'd.topic', 'a.#');
    for (let i = 0; i < 5; i++) ch.publish('d.topic', 'a.b', Buffer.from(`p${i}`), { persistent: true, priority: i === 4 ? 5 : 0 });
    ch.publish('d.topic', 'a.b', Buffer.from('transient'), { persistent: false });
    await ch.waitForConfirms();
    await end(broker, conn);

    ({ broker, conn, ch } = await session());
    await ch.checkExchange('d.topic');
    const missing = await conn.createChannel();
    const gone = new Promise<number | undefined>((resolve) => missing.once('error', (e: { code?: number }) => resolve(e.code)));
    missing.checkExchange('t.fanout').catch(() => undefined);
    expect(await gone).toBe(404);
    // Redeclaring with the same arguments is accepted, so the arguments came back exactly.
    await ch.assertQueue('d.q', { durable: true, arguments: { 'x-max-priority': 5, 'x-queue-mode': 'lazy' } });
    const got = await getAll(ch, 'd.q');
    expect(got.map((m) => m.content.toString())).toEqual(['p4', 'p0', 'p1', 'p2', 'p3']); // priority kept
    expect(got.every((m) => m.properties.deliveryMode === 2)).toBe(true);
    for (const m of got) ch.ack(m);
    // The bindings came back: both route again.
    ch.publish('d.topic', 'a.x', Buffer.from('via-topic'), { persistent: true });
    ch.publish('amq.direct', 'direct-key', Buffer.from('via-direct'), { persistent: true });
    await ch.waitForConfirms();
    expect((await getAll(ch, 'd.q')).map((m) => m.content.toString())).toEqual(['via-topic', 'via-direct']);
    await end(broker, conn);
  });

  it('brings back delivered-but-unacked messages redelivered, in their original order; acked ones stay gone', async () => {
    let { broker, conn, ch } = await session();
    await ch.assertQueue('work', { durable: true });
    for (let i = 0; i < 6; i++) ch.sendToQueue('work', Buffer.from(String(i)), { persistent: true });
    await ch.waitForConfirms();
    const taken = [await ch.get('work'), await ch.get('work'), await ch.get('work')];
    const second = taken[1];
    if (second) ch.ack(second);
    await ch.checkQueue('work');
    // A crash-like stop: the connection is still open with two deliveries unacked.
    await broker.close();
    conn.on('error', () => undefined);

    ({ broker, conn, ch } = await session());
    const got = await getAll(ch, 'work');
    expect(got.map((m) => m.content.toString())).toEqual(['0', '2', '3', '4', '5']);
    expect(got.map((m) => m.fields.redelivered)).toEqual([true, true, false, false, false]);
    await end(broker, conn);
  });

  it('TTL keeps counting across the downtime', async () => {
    let { broker, conn, ch } = await session();
    await ch.assertQueue('ttl', { durable: true, arguments: { 'x-message-ttl': 300 } });
    ch.sendToQueue('ttl', Buffer.from('expires'), { persistent: true });
    ch.sendToQueue('ttl', Buffer.from('stays'), { persistent: true, expiration: undefined });
    await ch.waitForConfirms();
    await end(broker, conn);
    await new Promise((r) => setTimeout(r, 400));
    ({ broker, conn, ch } = await session());
    expect((await getAll(ch, 'ttl')).length).toBe(0);
    await end(broker, conn);
  });

  it('persistent messages held by a durable delayed exchange survive a restart and fire on time', async () => {
    let { broker, conn, ch } = await session();
    await ch.assertExchange('later', 'x-delayed-message', { durable: true, arguments: { 'x-delayed-type': 'direct' } });
    await ch.assertQueue('later.q', { durable: true });
    await ch.bindQueue('later.q', 'later', 'k');
    const publishedAt = Date.now();
    ch.publish('later', 'k', Buffer.from('kept'), { persistent: true, headers: { 'x-delay': 1500 } });
    ch.publish('later', 'k', Buffer.from('transient-lost'), { persistent: false, headers: { 'x-delay': 1500 } });
    await ch.waitForConfirms();
    await end(broker, conn);

    ({ broker, conn, ch } = await session());
    expect(broker.readModel.exchange('/', 'later')?.messagesDelayed).toBe(1);
    expect((await ch.checkQueue('later.q')).messageCount).toBe(0);
    const got = await new Promise<{ body: string; at: number }>((resolve) => {
      void ch.consume('later.q', (m) => m && resolve({ body: m.content.toString(), at: Date.now() }), { noAck: true });
    });
    expect(got.body).toBe('kept');
    expect(got.at - publishedAt).toBeGreaterThanOrEqual(1450);
    await end(broker, conn);
  });

  it('a persistent message with TTL 0 and no consumer expires once, not again after a restart', async () => {
    let { broker, conn, ch } = await session();
    await ch.assertQueue('dlq-ttl0', { durable: true });
    await ch.assertQueue('ttl0', { durable: true, arguments: { 'x-message-ttl': 0, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dlq-ttl0' } });
    ch.sendToQueue('ttl0', Buffer.from('gone-at-once'), { persistent: true });
    await ch.waitForConfirms();
    expect((await ch.checkQueue('dlq-ttl0')).messageCount).toBe(1);
    await end(broker, conn);
    ({ broker, conn, ch } = await session());
    expect((await ch.checkQueue('ttl0')).messageCount).toBe(0);
    expect((await ch.checkQueue('dlq-ttl0')).messageCount).toBe(1); // dead-lettered exactly once
    await end(broker, conn);
  });

  it('restores a durable server-named (amq.gen-) queue with its messages', async () => {
    let { broker, conn, ch } = await session();
    const { queue } = await ch.assertQueue('', { durable: true, exclusive: false, autoDelete: false });
    expect(queue).toMatch(/^amq\.gen-/);
    ch.sendToQueue(queue, Buffer.from('kept'), { persistent: true });
    await ch.waitForConfirms();
    await end(broker, conn);
    ({ broker, conn, ch } = await session());
    const m = await ch.get(queue, { noAck: true });
    expect(m && m.content.toString()).toBe('kept');
    await end(broker, conn);
  });

  it('purge and delete remove the message files', async () => {
    const { broker, conn, ch } = await session();
    await ch.assertQueue('files', { durable: true });
    ch.sendToQueue('files', Buffer.alloc(1000), { persistent: true });
    await ch.waitForConfirms();
    const msgsDir = join(dataDir, 'msgs');
    expect(readdirSync(msgsDir).length).toBe(1);
    await ch.deleteQueue('files');
    expect(readdirSync(msgsDir).length).toBe(0);
    await end(broker, conn);
  });

  it('a persistent message is in the segment file when its confirm arrives', async () => {
    const { broker, conn, ch } = await session();
    await ch.assertQueue('synced', { durable: true });
    const marker = `marker-${Date.now()}`;
    await new Promise<void>((resolve, reject) => ch.sendToQueue('synced', Buffer.from(marker), { persistent: true }, (err) => (err ? reject(err) : resolve())));
    const dir = join(dataDir, 'msgs', readdirSync(join(dataDir, 'msgs'))[0]!);
    const segment = readdirSync(dir).find((f) => f.startsWith('msgs.'))!;
    expect(readFileSync(join(dir, segment)).includes(Buffer.from(marker))).toBe(true);
    await end(broker, conn);
  });
});

describe('restart of a real broker process', () => {
  it('keeps persistent messages across SIGTERM and start', async () => {
    let proc = await startWarrenProcess(['--data-dir', dataDir]);
    let conn = await amqp.connect(proc.url);
    let ch = await conn.createConfirmChannel();
    await ch.assertQueue('proc', { durable: true });
    for (let i = 0; i < 100; i++) ch.sendToQueue('proc', Buffer.from(String(i)), { persistent: true });
    await ch.waitForConfirms();
    conn.on('error', () => undefined);
    expect(await proc.kill('SIGTERM')).toBe(0);
    proc = await startWarrenProcess(['--data-dir', dataDir]);
    conn = await amqp.connect(proc.url);
    ch = await conn.createConfirmChannel();
    const got = await getAll(ch, 'proc');
    expect(got.map((m) => Number(m.content.toString()))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await conn.close();
    await proc.kill('SIGTERM');
  });
});
