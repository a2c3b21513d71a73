import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { encodeMethodFrame, type Method } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { RawClient } from '../../helpers/raw-client.js';
import { answerGapsDuring } from '../../helpers/probe.js';

/**
 * One basic.ack / nack with multiple=true that settles a huge number of unacknowledged deliveries
 * runs in bounded slices: an unrelated client is answered in the middle of it, and whatever the
 * client sent after the settle on its connection is handled only once the settle is complete,
 * so the results are those of a one-go settle (everything acked, or dead-lettered in order).
 */
const N = 200_000;
/**
 * Generous: 680 ms were seen with other test files running on 2 loaded cores. Unsliced, the nack
 * froze the probe for 17 s there; the check that the probe saw a middle state is the sharp one.
 */
const BOUND_MS = 1500;

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker({ consumerTimeout: 0 })));
afterAll(async () => close());

const declare = (queue: string, passive: boolean): Method => ({
  name: 'queue.declare', ticket: 0, queue, passive, durable: false, exclusive: false, autoDelete: false, nowait: false, arguments: {},
});

/** Fills a queue with n messages whose bodies are their index. */
async function fill(ch: amqp.Channel, queue: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (!ch.sendToQueue(queue, Buffer.from(String(i)))) await new Promise((r) => ch.once('drain', r));
  }
  while ((await ch.checkQueue(queue)).messageCount < n) await new Promise((r) => setTimeout(r, 20));
}

/** A raw client holding every message of `queue` unacknowledged on channel 1 (delivery tags 1..n). */
async function holdAll(queue: string, n: number): Promise<RawClient> {
  const raw = await RawClient.open(broker.port);
  raw.keepFrames = false; // 200,000 deliveries: counted, not kept
  await raw.openChannel(1);
  raw.sendMethod(1, { name: 'basic.consume', ticket: 0, queue, consumerTag: 'holder', noLocal: false, noAck: false, exclusive: false, nowait: false, arguments: {} });
  await eventually(() => raw.count('basic.deliver') === n, 60_000, 'not every message was delivered');
  return raw;
}

function frames(...methods: [number, Method][]): Buffer {
  const w = new Writer(1024);
  for (const [channel, m] of methods) encodeMethodFrame(w, channel, m);
  return w.take();
}

describe('a settle of many deliveries in slices', () => {
  it('acks 200,000 deliveries with one basic.ack multiple while another client is answered; a channel.close after it requeues nothing', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertQueue('ack-many');
    await fill(ch, 'ack-many', N);
    const raw = await holdAll('ack-many', N);
    try {
      await raw.openChannel(2);
      const gaps = await answerGapsDuring(
        broker.url,
        async () => {
          // One write: the close must find nothing left to requeue, the declare an empty queue.
          raw.send(
            frames(
              [1, { name: 'basic.ack', deliveryTag: N, multiple: true }],
              [1, { name: 'channel.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 }],
              [2, declare('ack-many', true)],
            ),
          );
          const ok = await raw.waitMethod('queue.declare-ok', 2, 60_000);
          expect([ok.messageCount, ok.consumerCount]).toEqual([0, 0]);
        },
        async (probe) => {
          await probe.checkQueue('ack-many');
          return raw.count('queue.declare-ok') === 1;
        },
      );
      expect(Math.max(...gaps)).toBeLessThan(BOUND_MS);
      expect((await ch.checkQueue('ack-many')).messageCount).toBe(0);
    } finally {
      await raw.close();
      await conn.close();
    }
  }, 120_000);

  it('dead-letters 200,000 deliveries of one basic.nack multiple in order, in slices, and a basic.get after it sees them all', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertQueue('nack-dlq');
    await ch.assertQueue('nack-many', { deadLetterExchange: '', deadLetterRoutingKey: 'nack-dlq' });
    await fill(ch, 'nack-many', N);
    const raw = await holdAll('nack-many', N);
    try {
      const seen: number[] = [];
      const gaps = await answerGapsDuring(
        broker.url,
        async () => {
          raw.send(
            frames(
              [1, { name: 'basic.nack', deliveryTag: N, multiple: true, requeue: false }],
              [1, { name: 'basic.get', ticket: 0, queue: 'nack-dlq', noAck: true }],
            ),
          );
          // Handled after the whole nack: the first dead-lettered message, and all the rest behind it.
          const ok = await raw.waitMethod('basic.get-ok', 1, 60_000);
          expect(ok.messageCount).toBe(N - 1);
        },
        async (probe) => {
          seen.push((await probe.checkQueue('nack-dlq')).messageCount);
          return raw.count('basic.get-ok') === 1;
        },
      );
      expect(Math.max(...gaps)).toBeLessThan(BOUND_MS);
      // Answered in the middle of the nack, not only before or after it: it ran in slices.
      expect(seen.some((n) => n > 0 && n < N)).toBe(true);
      // The rest arrive in delivery order (the basic.get took message 0).
      const bodies: string[] = [];
      const all = new Promise<void>((resolve) => {
        void ch.consume(
          'nack-dlq',
          (m) => {
            if (m !== null && bodies.push(m.content.toString()) === N - 1) resolve();
          },
          { noAck: true },
        );
      });
      await all;
      expect(bodies.every((b, i) => b === String(i + 1))).toBe(true);
      expect((await ch.checkQueue('nack-many')).messageCount).toBe(0);
    } finally {
      await raw.close();
      await conn.close();
    }
  }, 180_000);
});
