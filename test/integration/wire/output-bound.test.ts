import amqp from 'amqplib';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { encodePropertiesBuffer, writeBodyFrames, writeHeaderFrame } from '../../../src/protocol/content-header.js';
import { encodeMethodFrame, type Method } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';

/**
 * Every connection's output is bounded: a client that writes cheap requests and never reads the
 * replies is itself no longer read once its replies pile up, publisher or not, and within one socket
 * read. Memory is measured as the process's external (Buffer) bytes, where socket and writer buffers
 * live; broker and clients share this process, and the paused client's own buffering is bounded by
 * its socket's high-water mark.
 */

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

function frames(methods: readonly Method[], repeat: number, channel = 1): Buffer {
  const w = new Writer(4096);
  for (let i = 0; i < repeat; i++) for (const m of methods) encodeMethodFrame(w, channel, m);
  return w.take();
}

/**
 * Writes `batch` until `maxBytes` are written or the broker stops taking them (no 'drain' for a
 * second: the broker is not reading us). Meanwhile samples external memory; returns the peak growth.
 */
async function flood(c: RawClient, batch: Buffer, maxBytes: number): Promise<{ written: number; stuck: boolean; peakGrowth: number }> {
  const base = process.memoryUsage().external;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().external)), 5);
  let written = 0;
  let stuck = false;
  try {
    while (written < maxBytes) {
      const ok = c.socket.write(batch);
      written += batch.length;
      if (ok) {
        if (written % (64 * batch.length) === 0) await new Promise((r) => setImmediate(r));
        continue;
      }
      const drained = await Promise.race([once(c.socket, 'drain').then(() => true), sleep(1000).then(() => false)]);
      if (!drained) {
        stuck = true;
        break;
      }
    }
    await sleep(500); // let the broker work on what it has read
  } finally {
    clearInterval(sampler);
  }
  return { written, stuck, peakGrowth: peak - base };
}

/** Another client gets through at once while the flood is held. */
async function roundTrip(url: string, queue: string): Promise<number> {
  const start = Date.now();
  const conn = await amqp.connect(url);
  const ch = await conn.createChannel();
  await ch.checkQueue(queue);
  await conn.close();
  return Date.now() - start;
}

async function floodingClient(port: number, heartbeat = 0): Promise<RawClient> {
  const c = await RawClient.open(port, { heartbeat });
  await c.openChannel(1);
  c.pause();
  return c;
}

describe('output bound: a client that does not read its replies', () => {
  it('basic.get + basic.recover rounds: memory stays bounded even within one read, others are served, every reply arrives in order', async () => {
    await withBroker(async (broker) => {
      const admin = await amqp.connect(broker.url);
      const ach = await admin.createChannel();
      await ach.assertQueue('q');
      ach.sendToQueue('q', Buffer.alloc(32 * 1024, 7));
      await new Promise((r) => setTimeout(r, 100));
      expect((await ach.checkQueue('q')).messageCount).toBe(1);

      const c = await floodingClient(broker.port);
      // ~2,000 rounds fit in one 64 KB read; unbounded, each read would add 64 MB of replies.
      const PAIRS_PER_BATCH = 512;
      const BATCHES = 20;
      const batch = frames([{ name: 'basic.get', ticket: 0, queue: 'q', noAck: false }, { name: 'basic.recover', requeue: true }], PAIRS_PER_BATCH);
      const result = await flood(c, batch, batch.length * BATCHES);
      const rounds = (result.written / batch.length) * PAIRS_PER_BATCH;
      console.log(`get/recover flood: ${rounds} rounds written, peak external growth ${(result.peakGrowth / MiB).toFixed(1)} MiB`);
      expect(result.peakGrowth).toBeLessThan(40 * MiB); // unbounded: ~10,000 x 32 KB = 320 MB
      expect(await roundTrip(broker.url, 'q')).toBeLessThan(3000);

      c.resume();
      await eventually(() => c.count('basic.recover-ok') === rounds, 60_000, `got ${c.count('basic.recover-ok')} of ${rounds} recover-ok`);
      expect(c.count('basic.get-ok')).toBe(rounds);
      expect(c.count('body')).toBe(rounds);
      // In order: each get-ok (with its content) is followed by its recover-ok.
      const names = c.frames.filter((f) => f.channel === 1 && f.kind === 'method').map((f) => (f.kind === 'method' ? f.method.name : ''));
      const tail = names.slice(names.indexOf('basic.get-ok'));
      for (let i = 0; i < tail.length; i++) expect(tail[i]).toBe(i % 2 === 0 ? 'basic.get-ok' : 'basic.recover-ok');
      expect(c.count('connection.close')).toBe(0);
      await c.close();
      await admin.close();
    });
  }, 120_000);

  it('passive queue.declare in a loop: the broker stops reading the client (without dropping it for missed heartbeats); it gets every declare-ok once it reads', async () => {
    await withBroker(async (broker) => {
      const admin = await amqp.connect(broker.url);
      await (await admin.createChannel()).assertQueue('there');
      // heartbeat=1: a held client cannot be heard, so it must not be judged silent meanwhile.
      const c = await floodingClient(broker.port, 1);
      c.keepFrames = false;
      const PER_BATCH = 1000;
      const declare: Method = { name: 'queue.declare', ticket: 0, queue: 'there', passive: true, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} };
      const batch = frames([declare], PER_BATCH);
      const result = await flood(c, batch, 96 * MiB);
      console.log(`passive-declare flood: ${(result.written / MiB).toFixed(1)} MiB written before the broker stopped reading, peak external growth ${(result.peakGrowth / MiB).toFixed(1)} MiB`);
      expect(result.stuck).toBe(true); // unbounded: the broker reads all 96 MiB and buffers the replies
      expect(result.peakGrowth).toBeLessThan(24 * MiB);
      expect(await roundTrip(broker.url, 'there')).toBeLessThan(3000);
      await sleep(2500); // more than two heartbeat intervals while held
      expect(c.isClosed).toBe(false);

      const sent = (result.written / batch.length) * PER_BATCH;
      c.resume();
      c.startHeartbeats(500);
      await eventually(() => c.count('queue.declare-ok') === sent, 60_000, `got ${c.count('queue.declare-ok')} of ${sent} declare-ok`);
      expect(c.count('connection.close')).toBe(0);
      await c.close();
      await admin.close();
    });
  }, 120_000);

  it('mandatory publishes with no route: every basic.return arrives once the client reads, and the broker never holds them all', async () => {
    await withBroker(async (broker) => {
      const c = await floodingClient(broker.port);
      c.keepFrames = false;
      const body = Buffer.alloc(512, 1);
      const w = new Writer(4096);
      const PER_BATCH = 100;
      for (let i = 0; i < PER_BATCH; i++) {
        encodeMethodFrame(w, 1, { name: 'basic.publish', ticket: 0, exchange: '', routingKey: 'nowhere', mandatory: true, immediate: false });
        writeHeaderFrame(w, 1, 60, body.length, encodePropertiesBuffer({}));
        writeBodyFrames(w, 1, body, 131072);
      }
      const batch = w.take();
      const result = await flood(c, batch, 96 * MiB);
      console.log(`mandatory-return flood: ${(result.written / MiB).toFixed(1)} MiB written before the broker stopped reading, peak external growth ${(result.peakGrowth / MiB).toFixed(1)} MiB`);
      expect(result.stuck).toBe(true);
      expect(result.peakGrowth).toBeLessThan(32 * MiB); // unbounded: ~90 MB
      const admin = await amqp.connect(broker.url);
      const ach = await admin.createChannel();
      await ach.assertQueue('other');
      await admin.close();

      const sent = (result.written / batch.length) * PER_BATCH;
      c.resume();
      await eventually(() => c.count('basic.return') === sent, 60_000, `got ${c.count('basic.return')} of ${sent} basic.return`);
      expect(c.count('body')).toBe(sent);
      expect(c.count('connection.close')).toBe(0);
      await c.close();
    });
  }, 120_000);
});
