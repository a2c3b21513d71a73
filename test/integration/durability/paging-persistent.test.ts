import amqp from 'amqplib';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { startWarrenProcess } from '../../helpers/process.js';

// A persistent message on a durable queue is in the queue's message log already: when the queue
// pages (past 20,000 ready messages), its record is read back from the log, not written again to a
// page file. Transient messages (and any message on a non-durable queue) are paged as copies.
const WINDOW = 20_000;
const BODY = 1024;

let dataDir: string;
let broker: Broker;
const start = async (): Promise<Broker> => startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-paging-persistent-'));
  broker = await start();
});
afterEach(async () => {
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function pageBytes(): number {
  const dir = join(dataDir, 'pages');
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Publishes [from, from + n) numbered messages, persistent where persistent(i) says, and waits for the confirms. */
async function publish(ch: amqp.ConfirmChannel, queue: string, from: number, n: number, persistent: (i: number) => boolean, options: amqp.Options.Publish = {}): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const body = Buffer.alloc(BODY, i & 0xff);
    body.writeUInt32BE(i, 0);
    if (!ch.sendToQueue(queue, body, { ...options, persistent: persistent(i) })) await new Promise((r) => ch.once('drain', r));
  }
  await ch.waitForConfirms();
}

/**
 * Consumes and acks n messages on a channel of its own, checking every body byte, then closes the
 * channel (what it was sent beyond n goes back to the queue); returns their numbers in arrival order.
 */
async function consume(conn: amqp.ChannelModel, queue: string, n: number): Promise<number[]> {
  const ch = await conn.createChannel();
  const got: number[] = [];
  let bad = 0;
  await ch.prefetch(500);
  await new Promise<void>((resolve) => {
    void ch.consume(queue, (m) => {
      if (m === null || got.length === n) return;
      const i = m.content.readUInt32BE(0);
      if (m.content.length !== BODY || m.content[BODY - 1] !== (i & 0xff)) bad++;
      got.push(i);
      ch.ack(m);
      if (got.length === n) resolve();
    });
  });
  await ch.close();
  expect(bad).toBe(0);
  return got;
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('paging persistent messages of a durable queue', () => {
  it('writes no page file for a persistent backlog, while a transient backlog is paged as before; both come back in order', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('persistent', { durable: true });
    await publish(ch, 'persistent', 0, WINDOW + 20_000, () => true);
    expect((await ch.checkQueue('persistent')).messageCount).toBe(WINDOW + 20_000);
    await new Promise((r) => setTimeout(r, 200)); // page writes are asynchronous: give any a chance to land
    expect(pageBytes()).toBe(0);

    await ch.assertQueue('transient', { durable: true });
    await publish(ch, 'transient', 0, WINDOW + 20_000, () => false);
    await eventually(() => pageBytes() >= 20_000 * BODY, 10_000, `transient tail not paged: ${pageBytes()} bytes in page files`);

    expect(await consume(conn, 'persistent', WINDOW + 20_000)).toEqual(range(0, WINDOW + 20_000));
    expect(await consume(conn, 'transient', WINDOW + 20_000)).toEqual(range(0, WINDOW + 20_000));
    await eventually(() => pageBytes() === 0, 5000, 'page files not deleted once the tail was read back');
    await conn.close();
  }, 120_000);

  it('a tail mixing persistent and transient messages comes back whole and in order; only the transient ones were copied', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('mixed', { durable: true });
    // Runs of each kind, of varying length, so read-backs switch between the log and the page file.
    const persistent = (i: number): boolean => i < WINDOW || Math.floor(i / 7) % 3 !== 0;
    await publish(ch, 'mixed', 0, WINDOW + 30_000, persistent);
    const transientPaged = range(WINDOW, 30_000).filter((i) => !persistent(i)).length;
    const record = BODY + 4 + 2 + 'mixed'.length; // the page record: names, property length, properties (none), body
    await eventually(() => pageBytes() >= transientPaged * record, 10_000, `page files hold ${pageBytes()} bytes`);
    await new Promise((r) => setTimeout(r, 200));
    expect(pageBytes()).toBeLessThan(transientPaged * (record + 64));

    expect(await consume(conn, 'mixed', WINDOW + 30_000)).toEqual(range(0, WINDOW + 30_000));
    await conn.close();
  }, 120_000);

  it('a paged persistent backlog partly consumed survives a restart: exactly the rest comes back, in order', async () => {
    let conn = await amqp.connect(broker.url);
    let ch = await conn.createConfirmChannel();
    await ch.assertQueue('restart', { durable: true });
    await publish(ch, 'restart', 0, WINDOW + 20_000, () => true);
    // Past the window, into the paged part read back from the log.
    expect(await consume(conn, 'restart', WINDOW + 5000)).toEqual(range(0, WINDOW + 5000));
    await conn.close();
    await broker.close();

    broker = await start();
    conn = await amqp.connect(broker.url);
    ch = await conn.createConfirmChannel();
    expect((await ch.checkQueue('restart')).messageCount).toBe(15_000);
    // Recovered messages page by reference too, and a paged one read back after the restart is intact.
    await publish(ch, 'restart', WINDOW + 20_000, 10_000, () => true);
    expect(pageBytes()).toBe(0);
    expect(await consume(conn, 'restart', 25_000)).toEqual(range(WINDOW + 5000, 25_000));
    await conn.close();
  }, 120_000);

  it('kill -9 with a paged persistent backlog partly read back: every confirmed, unacked message comes back after the restart', async () => {
    await broker.close();
    let proc = await startWarrenProcess(['--data-dir', dataDir]);
    try {
      let conn = await amqp.connect(proc.url);
      conn.on('error', () => undefined); // the kill ends it
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('killed', { durable: true });
      await publish(ch, 'killed', 0, WINDOW + 15_000, () => true);
      expect(await consume(conn, 'killed', WINDOW + 3000)).toEqual(range(0, WINDOW + 3000));
      // Acks are not synced on their own: some of these may come back (redelivered), none may be lost.
      await proc.kill('SIGKILL');
      proc = await startWarrenProcess(['--data-dir', dataDir]);
      conn = await amqp.connect(proc.url);
      const left = (await (await conn.createChannel()).checkQueue('killed')).messageCount;
      expect(left).toBeGreaterThanOrEqual(12_000);
      const got = await consume(conn, 'killed', left);
      expect(got.slice(got.length - 12_000)).toEqual(range(WINDOW + 3000, 12_000));
      await conn.close();
    } finally {
      await proc.kill('SIGKILL');
      broker = await start(); // for afterEach
    }
  }, 120_000);

  it('paged persistent messages that expire where they sit are dead-lettered with their bodies, once each', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('dlx', 'fanout', { durable: true });
    await ch.assertQueue('dead', { durable: true });
    await ch.bindQueue('dead', 'dlx', '');
    await ch.assertQueue('ttl', { durable: true, deadLetterExchange: 'dlx' });
    await publish(ch, 'ttl', 0, WINDOW, () => true);
    await publish(ch, 'ttl', WINDOW, 3000, () => true, { expiration: '200' }); // paged, expiring
    await publish(ch, 'ttl', WINDOW + 3000, 1000, () => true);
    const dead = (): number => broker.vhosts.get('/')!.queues.get('dead')!.messageCount;
    await eventually(() => dead() === 3000, 10_000, `${dead()} of 3000 expired paged messages dead-lettered`);
    // Each is read back on its own, so they may reach the dead-letter queue in any order.
    expect((await consume(conn, 'dead', 3000)).sort((a, b) => a - b)).toEqual(range(WINDOW, 3000));
    const live = await consume(conn, 'ttl', WINDOW + 1000);
    expect(live).toEqual([...range(0, WINDOW), ...range(WINDOW + 3000, 1000)]);
    await conn.close();
  }, 120_000);
});
