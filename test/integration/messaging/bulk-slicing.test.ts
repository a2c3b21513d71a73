import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
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
    const filler = await fill('unacked', BULK);
    const consumer = startDiscardingConsumer(broker.port, 'unacked', false);
    try {
      await consumer.consuming;
      const ch = await filler.createChannel();
      while ((await ch.checkQueue('unacked')).messageCount > 0) await new Promise((r) => setTimeout(r, 20));
      const gaps = await answerGapsDuring(
        broker.url,
        () => consumer.worker.terminate(), // the consumer's connection drops: every delivery is requeued
        async (probe) => (await probe.checkQueue('unacked')).messageCount === BULK,
      );
      expect(Math.max(...gaps)).toBeLessThan(BOUND_MS);
      for (const i of [0, 1, 2]) {
        const m = await ch.get('unacked', { noAck: true });
        expect(m && [m.content.toString(), m.fields.redelivered]).toEqual([String(i), true]);
      }
    } finally {
      await consumer.worker.terminate();
      await filler.close();
    }
  }, 120_000);
});
