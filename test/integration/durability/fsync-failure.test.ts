import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type ConfirmChannel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { mountFaultyFs, type FaultRule } from '../../helpers/faulty-fs.js';
import { mountSmallFs } from '../../helpers/small-fs.js';

// What a publisher sees when the data directory's disk fails: a failed fdatasync or write nacks the
// messages it covered (never an ack), the broker keeps serving everyone else, publishes after the
// fault are acked, and everything acked is there after a restart. The faulty filesystem drops the
// bytes of a failed fsync as Linux may ("fsyncgate"): a broker that just fsyncs again later acks
// records that sit behind a hole, which recovery then cuts off. A failing write also raises the
// disk alarm (disk-alarm-write-failure.test.ts): publishers are blocked until a retry goes through,
// so the round trip that shows the broker still serves others does not publish.

const start = (dataDir: string, diskFreeLimit?: number): Promise<Broker> =>
  startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(),  ...(diskFreeLimit === undefined ? {} : { diskFreeLimit }) });

/** Publishes n persistent messages tagged `${tag}-i`; resolves with how many were acked and nacked. */
async function publish(ch: ConfirmChannel, queue: string, tag: string, n: number): Promise<{ acked: number; nacked: number }> {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => new Promise<boolean>((resolve) => ch.sendToQueue(queue, Buffer.from(`${tag}-${i}`), { persistent: true }, (err) => resolve(err == null)))),
  );
  return { acked: results.filter(Boolean).length, nacked: results.filter((ok) => !ok).length };
}

/** Another client's round trip through a queue of its own: the broker still serves (publishers are blocked by the alarm). */
async function roundTrip(url: string): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  expect(await ch.get(queue, { noAck: true })).toBe(false);
  await conn.close();
}

/** Sends n; resolves once the first nack came (the alarm is on by then), with the promise of all n. */
async function publishUntilNacked(ch: ConfirmChannel, queue: string, tag: string, n: number, body?: Buffer): Promise<{ all: Promise<{ acked: number; nacked: number }> }> {
  let nacked = 0;
  let firstNack: () => void = () => undefined;
  const nackSeen = new Promise<void>((r) => (firstNack = r));
  const all = Promise.all(
    Array.from({ length: n }, (_, i) =>
      new Promise<boolean>((resolve) =>
        ch.sendToQueue(queue, body ?? Buffer.from(`${tag}-${i}`), { persistent: true }, (err) => {
          if (err != null && nacked++ === 0) firstNack();
          resolve(err == null);
        }),
      ),
    ),
  ).then((r) => ({ acked: r.filter(Boolean).length, nacked: r.filter((ok) => !ok).length }));
  await nackSeen;
  return { all }; // wrapped: an async function returning a promise would wait for it
}

async function drain(url: string, queue: string): Promise<Set<string>> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const seen = new Set<string>();
  for (let m = await ch.get(queue, { noAck: true }); m !== false; m = await ch.get(queue, { noAck: true })) seen.add(m.content.toString());
  await conn.close();
  return seen;
}

const tags = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

describe('a failing disk under the message store', () => {
  for (const [label, rule] of [
    ['fdatasync fails with EIO', { fsync: 'EIO', match: 'msgs.' }],
    ['fdatasync fails with ENOSPC', { fsync: 'ENOSPC', match: 'msgs.' }],
    ['write fails with EIO', { write: 'EIO', match: 'msgs.' }],
  ] as const satisfies readonly (readonly [string, FaultRule])[]) {
    it(`${label}: those publishes are nacked, others are served, later ones acked and durable`, async (ctx) => {
      const fs = await mountFaultyFs();
      if (typeof fs === 'string') {
        console.log(`skipped: ${fs}`);
        ctx.skip();
        return;
      }
      let broker: Broker | undefined;
      try {
        broker = await start(fs.dir);
        const pub = await amqp.connect(broker.url);
        const ch = await pub.createConfirmChannel();
        await ch.assertQueue('orders', { durable: true });
        expect(await publish(ch, 'orders', 'before', 50)).toEqual({ acked: 50, nacked: 0 });

        fs.set(rule);
        // What the failed write covered is nacked; the rest waits unread while the alarm is on.
        const during = await publishUntilNacked(ch, 'orders', 'during', 50);
        expect(fs.injected().length).toBeGreaterThan(0);
        await roundTrip(broker.url);

        fs.set({});
        const d = await during.all;
        expect(d.nacked).toBeGreaterThan(0);
        expect(d.acked + d.nacked).toBe(50);
        expect(await publish(ch, 'orders', 'after', 50)).toEqual({ acked: 50, nacked: 0 });
        await pub.close();
        await broker.close();
        broker = undefined;

        broker = await start(fs.dir);
        const seen = await drain(broker.url, 'orders');
        const lost = [...tags('before', 50), ...tags('after', 50)].filter((t) => !seen.has(t));
        expect(lost).toEqual([]);
        // The nacked ones stayed queued, and were written again once the disk took writes: a
        // publisher that republishes them gets duplicates, never a hole.
        expect(tags('during', 50).filter((t) => !seen.has(t))).toEqual([]);
      } finally {
        fs.set({});
        await broker?.close();
        fs.unmount();
      }
    }, 60_000);
  }
});

describe('a failing fdatasync under the definitions log', () => {
  for (const code of ['EIO', 'ENOSPC'] as const) {
    it(`${code}: a durable declare is answered only once its record is on disk; every answered one survives a restart`, async (ctx) => {
      const fs = await mountFaultyFs();
      if (typeof fs === 'string') {
        console.log(`skipped: ${fs}`);
        ctx.skip();
        return;
      }
      let broker: Broker | undefined;
      try {
        broker = await start(fs.dir);
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createChannel();
        await ch.assertQueue('first', { durable: true });

        fs.set({ fsync: code, match: 'definitions.log' });
        let answered = false;
        const second = ch.assertQueue('second', { durable: true }).then(() => (answered = true));
        await eventually(() => fs.injected().length > 0, 10_000, 'no fsync failure injected');
        await roundTrip(broker.url);
        // Failed fsyncs are retried, not spun on: a few a second at most.
        await new Promise((r) => setTimeout(r, 1_000));
        expect(answered).toBe(false);
        expect(fs.injected().length).toBeLessThan(10);

        fs.set({});
        await second;
        await ch.assertQueue('third', { durable: true });
        await conn.close();
        await broker.close();
        broker = undefined;

        broker = await start(fs.dir);
        const check = await amqp.connect(broker.url);
        const cch = await check.createChannel();
        for (const q of ['first', 'second', 'third']) await cch.checkQueue(q);
        await check.close();
      } finally {
        fs.set({});
        await broker?.close();
        fs.unmount();
      }
    }, 60_000);
  }
});

describe('a full disk (a real ENOSPC on a small tmpfs)', () => {
  it('nacks the publishes it cannot write, serves others, acks again once there is room, and keeps what it acked', async (ctx) => {
    const fs = mountSmallFs('size=16m');
    if (typeof fs === 'string') {
      console.log(`skipped: ${fs}`);
      ctx.skip();
      return;
    }
    let broker: Broker | undefined;
    const filler = join(fs.dir, 'filler');
    try {
      // No disk alarm: the writes themselves must meet the full disk.
      broker = await start(fs.dir, 0);
      const pub = await amqp.connect(broker.url);
      const ch = await pub.createConfirmChannel();
      await ch.assertQueue('orders', { durable: true });
      expect(await publish(ch, 'orders', 'before', 50)).toEqual({ acked: 50, nacked: 0 });

      const fd = openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(64 * 1024, 1);
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      const big = Buffer.alloc(8 * 1024, 2);
      const during = await publishUntilNacked(ch, 'orders', 'big', 20, big);
      await roundTrip(broker.url);

      rmSync(filler);
      expect((await during.all).nacked).toBeGreaterThan(0);
      expect(await publish(ch, 'orders', 'after', 50)).toEqual({ acked: 50, nacked: 0 });
      await pub.close();
      await broker.close();
      broker = undefined;

      broker = await start(fs.dir, 0);
      const seen = await drain(broker.url, 'orders');
      expect([...tags('before', 50), ...tags('after', 50)].filter((t) => !seen.has(t))).toEqual([]);
    } finally {
      await broker?.close();
      rmSync(filler, { force: true });
      fs.unmount();
    }
  }, 60_000);
});

