import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually } from '../../helpers/broker.js';
import { mountFaultyFs } from '../../helpers/faulty-fs.js';
import { mountSmallFs } from '../../helpers/small-fs.js';

// When the data directory stops taking writes (a full disk, or writes failing outright) the disk
// alarm goes on as for low free space: publishers get connection.blocked ("low on disk", as
// RabbitMQ's disk_free_alarm) and are no longer read, so messages that cannot be written do not
// pile up behind nacks; the health check lists the alarm; once a retried write goes through the
// alarm clears and publishers are released; everything confirmed is there after a restart.

const start = (dataDir: string): Promise<Broker> =>
  // diskFreeLimit 0: no free-space alarm, the writes themselves meet the fault.
  startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, diskFreeLimit: 0, managementPort: 0, logger: silentLogger() });

const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');
async function alarmsCheck(b: Broker): Promise<{ status: number; body: unknown }> {
  const res = await b.managementApp!.inject({ method: 'GET', url: '/api/health/checks/alarms', headers: { authorization: GUEST } });
  return { status: res.statusCode, body: JSON.parse(res.body) as unknown };
}

interface Publisher {
  readonly conn: ChannelModel;
  readonly ch: ConfirmChannel;
  readonly events: string[];
  /** Sends n persistent messages tagged `${tag}-i`; each promise settles with its confirm (true = ack). */
  send(tag: string, n: number, body?: (i: number) => Buffer): Promise<boolean>[];
}

async function publisher(url: string, queue: string): Promise<Publisher> {
  const conn = await amqp.connect(url);
  const events: string[] = [];
  conn.on('blocked', (reason: string) => events.push(`blocked:${reason}`));
  conn.on('unblocked', () => events.push('unblocked'));
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  const send = (tag: string, n: number, body?: (i: number) => Buffer): Promise<boolean>[] =>
    Array.from({ length: n }, (_, i) => new Promise<boolean>((resolve) => ch.sendToQueue(queue, body?.(i) ?? Buffer.from(`${tag}-${i}`), { persistent: true, messageId: `${tag}-${i}` }, (err) => resolve(err == null))));
  return { conn, ch, events, send };
}

async function drainIds(url: string, queue: string): Promise<Set<string>> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const seen = new Set<string>();
  for (let m = await ch.get(queue, { noAck: true }); m !== false; m = await ch.get(queue, { noAck: true })) seen.add(String(m.properties.messageId));
  await conn.close();
  return seen;
}

/** A client that does not publish is still served while the alarm is on (RabbitMQ blocks publishers only). */
async function nonPublishingRoundTrip(url: string): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  expect(await ch.get(queue)).toBe(false);
  await conn.close();
}

const ids = (tag: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
const settled = async (ps: Promise<boolean>[]): Promise<{ acked: number; nacked: number }> => {
  const r = await Promise.all(ps);
  return { acked: r.filter(Boolean).length, nacked: r.filter((ok) => !ok).length };
};

describe('the disk alarm when data directory writes fail', () => {
  it('ENOSPC on message-log writes (FUSE): publishers blocked, health check fails, released when writes work, nothing confirmed lost', async (ctx) => {
    const fs = await mountFaultyFs();
    if (typeof fs === 'string') {
      console.log(`skipped: ${fs}`);
      ctx.skip();
      return;
    }
    let broker: Broker | undefined;
    try {
      broker = await start(fs.dir);
      const pub = await publisher(broker.url, 'orders');
      expect(await settled(pub.send('before', 50))).toEqual({ acked: 50, nacked: 0 });
      expect(await alarmsCheck(broker)).toEqual({ status: 200, body: { status: 'ok' } });

      fs.set({ write: 'ENOSPC', match: 'msgs.' });
      // The first failed write nacks what it covered and raises the alarm: what the connection had
      // not read yet waits in the socket.
      let nacked = 0;
      const during = pub.send('during', 20).map((p) => p.then((ok) => (ok ? ok : (nacked++, ok))));
      await eventually(() => pub.events.includes('blocked:low on disk'), 10_000, 'no connection.blocked');
      await eventually(() => nacked > 0, 10_000, 'no nack');
      // Sent while blocked: not read until the alarm clears, then written and confirmed.
      const held = pub.send('held', 20);
      expect(await alarmsCheck(broker)).toMatchObject({ status: 503, body: { status: 'failed', alarms: [{ resource: 'disk space' }] } });
      await nonPublishingRoundTrip(broker.url);
      // Retried every second, and still failing: the alarm stays, the held publishes are not taken.
      const injected = fs.injected().length;
      await eventually(() => fs.injected().length > injected, 10_000, 'no retried write');
      expect(pub.events).toEqual(['blocked:low on disk']);

      fs.set({});
      await eventually(() => pub.events.includes('unblocked'), 10_000, 'no connection.unblocked');
      const duringResult = await settled(during);
      expect(duringResult.acked + duringResult.nacked).toBe(20);
      expect(await settled(held)).toEqual({ acked: 20, nacked: 0 });
      expect(await settled(pub.send('after', 50))).toEqual({ acked: 50, nacked: 0 });
      expect(await alarmsCheck(broker)).toEqual({ status: 200, body: { status: 'ok' } });
      await pub.conn.close();
      await broker.close();
      broker = undefined;

      broker = await start(fs.dir);
      const seen = await drainIds(broker.url, 'orders');
      expect([...ids('before', 50), ...ids('held', 20), ...ids('after', 50)].filter((t) => !seen.has(t))).toEqual([]);
      // The nacked ones stayed queued and were written by the retry: duplicates for a republisher, never a hole.
      expect(ids('during', 20).filter((t) => !seen.has(t))).toEqual([]);
    } finally {
      fs.set({});
      await broker?.close();
      fs.unmount();
    }
  }, 90_000);

  it('a really full 16 MB tmpfs: publishers blocked until space returns, nothing confirmed lost', async (ctx) => {
    const fs = mountSmallFs('size=16m');
    if (typeof fs === 'string') {
      console.log(`skipped: ${fs}`);
      ctx.skip();
      return;
    }
    let broker: Broker | undefined;
    const filler = join(fs.dir, 'filler');
    try {
      broker = await start(fs.dir);
      const pub = await publisher(broker.url, 'orders');
      expect(await settled(pub.send('before', 50))).toEqual({ acked: 50, nacked: 0 });

      const fd = openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(64 * 1024, 1);
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      const big = (i: number): Buffer => Buffer.alloc(8 * 1024, i);
      const during = pub.send('during', 20, big);
      await eventually(() => pub.events.includes('blocked:low on disk'), 10_000, 'no connection.blocked');
      expect(await alarmsCheck(broker)).toMatchObject({ status: 503, body: { alarms: [{ resource: 'disk space' }] } });
      await nonPublishingRoundTrip(broker.url);

      rmSync(filler);
      await eventually(() => pub.events.includes('unblocked'), 10_000, 'no connection.unblocked');
      const early = await settled(during);
      expect(early.acked + early.nacked).toBe(20);
      expect(await settled(pub.send('after', 50))).toEqual({ acked: 50, nacked: 0 });
      await pub.conn.close();
      await broker.close();
      broker = undefined;

      broker = await start(fs.dir);
      const seen = await drainIds(broker.url, 'orders');
      expect([...ids('before', 50), ...ids('during', 20), ...ids('after', 50)].filter((t) => !seen.has(t))).toEqual([]);
    } finally {
      await broker?.close();
      rmSync(filler, { force: true });
      fs.unmount();
    }
  }, 90_000);
});
