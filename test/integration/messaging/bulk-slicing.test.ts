import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { ClassId } from '../../../src/protocol/constants.js';
import { writeBodyFrames, writeHeaderFrame } from '../../../src/protocol/content-header.js';
import { encodeMethodFrame } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { openBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';
import { answerGapsDuring, startDiscardingConsumer } from '../../helpers/probe.js';

/**
 * Bulk work (a huge delivery backlog, a huge requeue, a huge transaction) runs in bounded slices,
 * so an unrelated client is answered while it is in progress. Unsliced, each of these scenarios
 * kept the broker's event loop busy for well over a second at these sizes; sliced, round trips
 * stay in the milliseconds. The bound is generous so a loaded machine does not fail it, and still
 * far below the unsliced stall.
 */
const BULK = 300_000;
const BOUND_MS = 400;
/** A requeue is cheap per message (0.2 s per million in one go): more messages, a tighter bound. */
const REQUEUE_BULK = 600_000;
const REQUEUE_BOUND_MS = 250;

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker({ consumerTimeout: 0 })));
afterAll(async () => close());

/** Fills a queue with n messages whose bodies are their index. */
async function fill(queue: string, n: number): Promise<amqp.ChannelModel> {
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  await ch.assertQueue(queue);
  for (let i = 0; i < n; i++) {
    if (!ch.sendToQueue(queue, Buffer.from(String(i)))) await new Promise((r) => ch.once('drain', r));
  }
  while ((await ch.checkQueue(queue)).messageCount < n) await new Promise((r) => setTimeout(r, 20));
  return conn;
}

describe('bulk work in slices', () => {
  it('answers an unrelated client while a prefetch-0 consumer takes a huge backlog', async () => {
    const filler = await fill('backlog', BULK);
    let consumer: ReturnType<typeof startDiscardingConsumer> | undefined;
    try {
      const seen: number[] = [];
      const begin = async (): Promise<void> => {
        consumer = startDiscardingConsumer(broker.port, 'backlog');
        await consumer.consuming;
      };
      const gaps = await answerGapsDuring(broker.url, begin, async (ch) => {
        const { messageCount } = await ch.checkQueue('backlog');
        seen.push(messageCount);
        return messageCount === 0;
      });
      expect(Math.max(...gaps)).toBeLessThan(BOUND_MS);
      // Answered in the middle of the delivery, not only before or after it.
      expect(seen.some((n) => n > 0 && n < BULK)).toBe(true);
    } finally {
      await consumer?.worker.terminate();
      await filler.close();
    }
  }, 120_000);

  it('answers an unrelated client while a closed channel’s unacked deliveries go back, in their original order', async () => {
    const filler = await fill('unacked', REQUEUE_BULK);
    const consumer = startDiscardingConsumer(broker.port, 'unacked', false);
    try {
      await consumer.consuming;
      const ch = await filler.createChannel();
      while ((await ch.checkQueue('unacked')).messageCount > 0) await new Promise((r) => setTimeout(r, 20));
      const gaps = await answerGapsDuring(
        broker.url,
        () => consumer.worker.terminate(), // the consumer's connection drops: every delivery is requeued
        async (probe) => (await probe.checkQueue('unacked')).messageCount === REQUEUE_BULK,
      );
      expect(Math.max(...gaps)).toBeLessThan(REQUEUE_BOUND_MS);
      for (const i of [0, 1, 2]) {
        const m = await ch.get('unacked', { noAck: true });
        expect(m && [m.content.toString(), m.fields.redelivered]).toEqual([String(i), true]);
      }
    } finally {
      await consumer.worker.terminate();
      await filler.close();
    }
  }, 120_000);

  it('answers an unrelated client during a huge tx.commit, and nothing else on that connection runs before commit-ok', async () => {
    const raw = await RawClient.open(broker.port);
    try {
      await raw.openChannel(1);
      raw.sendMethod(1, { name: 'queue.declare', ticket: 0, queue: 'tx-bulk', passive: false, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} });
      raw.sendMethod(1, { name: 'tx.select' });
      await raw.waitMethod('tx.select-ok', 1);
      const w = new Writer(1 << 20);
      const empty = Buffer.from([0, 0]);
      for (let i = 0; i < BULK; i++) {
        encodeMethodFrame(w, 1, { name: 'basic.publish', ticket: 0, exchange: '', routingKey: 'tx-bulk', mandatory: false, immediate: false });
        const body = Buffer.from(String(i));
        writeHeaderFrame(w, 1, ClassId.basic, body.length, empty);
        writeBodyFrames(w, 1, body, 131072);
        if (w.pos > 1 << 19) raw.send(w.take());
      }
      raw.send(w.take());
      raw.sendMethod(1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: 0, global: false });
      await raw.waitMethod('basic.qos-ok', 1, 60_000); // every publish is held by now
      const passive = { name: 'queue.declare', ticket: 0, queue: 'tx-bulk', passive: true, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {} } as const;
      const gaps = await answerGapsDuring(
        broker.url,
        async () => {
          // Sent together: the declare must not be handled in the middle of the commit.
          const c = new Writer(256);
          encodeMethodFrame(c, 1, { name: 'tx.commit' });
          encodeMethodFrame(c, 1, passive);
          raw.send(c.take());
        },
        async (probe) => {
          await probe.checkQueue('tx-bulk');
          return raw.count('queue.declare-ok') === 2;
        },
      );
      const last = raw.frames.filter((f) => f.kind === 'method' && f.channel === 1).slice(-2);
      expect(last.map((f) => f.kind === 'method' && f.method.name)).toEqual(['tx.commit-ok', 'queue.declare-ok']);
      const ok = last[1]?.kind === 'method' ? last[1].method : undefined;
      expect(ok?.name === 'queue.declare-ok' && ok.messageCount).toBe(BULK);
      expect(Math.max(...gaps)).toBeLessThan(BOUND_MS);
    } finally {
      await raw.close();
    }
  }, 120_000);

  it('redelivers a huge basic.recover in the original order, though it is requeued in slices', async () => {
    const N = 50_000; // more than one requeue slice
    const filler = await fill('recover', N);
    const conn = await amqp.connect(broker.url);
    try {
      const ch = await conn.createChannel();
      const seen: string[] = [];
      let firstRound: () => void = () => undefined;
      const delivered = new Promise<void>((r) => (firstRound = r));
      let redelivered: () => void = () => undefined;
      const again = new Promise<void>((r) => (redelivered = r));
      await ch.consume('recover', (m) => {
        if (m === null) return;
        if (!m.fields.redelivered) {
          if (m.content.toString() === String(N - 1)) firstRound();
          return;
        }
        seen.push(m.content.toString());
        if (seen.length === N) redelivered();
      });
      await delivered;
      await ch.recover();
      await again;
      expect(seen).toEqual(Array.from({ length: N }, (_, i) => String(i)));
    } finally {
      await conn.close();
      await filler.close();
    }
  }, 120_000);
});
