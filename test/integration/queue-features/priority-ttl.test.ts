import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body, channelError } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
beforeAll(async () => {
  ({ broker, close } = await openBroker());
  conn = await amqp.connect(broker.url);
});
afterAll(async () => {
  await conn.close();
  await close();
});

async function drain(ch: amqp.Channel, queue: string): Promise<amqp.GetMessage[]> {
  const out: amqp.GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: false });
    if (m === false) return out;
    out.push(m);
  }
}
const texts = (ms: readonly { content: Buffer }[]): string[] => ms.map((m) => m.content.toString());

describe('priority queues (x-max-priority)', () => {
  it('delivers higher priority first, FIFO within a level, no priority as 0, above max clamped', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, maxPriority: 5 });
    ch.sendToQueue(queue, body('none-1'));
    ch.sendToQueue(queue, body('p3-1'), { priority: 3 });
    ch.sendToQueue(queue, body('p9-clamped-to-5'), { priority: 9 });
    ch.sendToQueue(queue, body('p5'), { priority: 5 });
    ch.sendToQueue(queue, body('p3-2'), { priority: 3 });
    ch.sendToQueue(queue, body('p0'), { priority: 0 });
    await ch.checkQueue(queue);
    const got = await drain(ch, queue);
    expect(texts(got)).toEqual(['p9-clamped-to-5', 'p5', 'p3-1', 'p3-2', 'none-1', 'p0']);
    await ch.close();
  });

  it('requeued messages keep their priority and position', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, maxPriority: 2 });
    for (const [t, p] of [['a', 2], ['b', 2], ['c', 1]] as const) ch.sendToQueue(queue, body(t), { priority: p });
    await ch.checkQueue(queue);
    const a = await ch.get(queue);
    const b = await ch.get(queue);
    if (a === false || b === false) throw new Error('expected messages');
    ch.nack(b, false, true);
    ch.nack(a, false, true);
    await ch.checkQueue(queue);
    const got = await drain(ch, queue);
    expect(texts(got)).toEqual(['a', 'b', 'c']);
    expect(got.map((m) => m.fields.redelivered)).toEqual([true, true, false]);
    await ch.close();
  });

  it('rejects x-max-priority out of range with 406 naming the argument', async () => {
    const ch = await conn.createChannel();
    const failed = channelError(ch);
    ch.assertQueue('', { exclusive: true, arguments: { 'x-max-priority': 300 } }).catch(() => undefined);
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain("invalid arg 'x-max-priority'");
  });
});

describe('message TTL', () => {
  it('expires messages by queue TTL (x-message-ttl)', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, messageTtl: 100 });
    ch.sendToQueue(queue, body('short-lived'));
    expect((await ch.checkQueue(queue)).messageCount).toBe(1);
    await eventually(() => broker.readModel.queue('/', queue)?.messagesReady === 0, 3000);
    expect(await ch.get(queue)).toBe(false);
    await ch.close();
  });

  it('per-message expiration and queue TTL: the lower wins', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, messageTtl: 60_000 });
    ch.sendToQueue(queue, body('quick'), { expiration: '50' });
    ch.sendToQueue(queue, body('slow'));
    await ch.checkQueue(queue); // both publishes processed
    await eventually(() => broker.readModel.queue('/', queue)?.messagesReady === 1, 3000);
    const m = await ch.get(queue, { noAck: true });
    expect(m && m.content.toString()).toBe('slow');
    await ch.close();
  });

  it('an expired message leaves from the middle of the queue, not only at the head', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(queue, body('head'));
    ch.sendToQueue(queue, body('middle'), { expiration: '30' });
    ch.sendToQueue(queue, body('tail'));
    await ch.checkQueue(queue);
    await eventually(() => broker.readModel.queue('/', queue)?.messagesReady === 2, 3000);
    expect((await ch.checkQueue(queue)).messageCount).toBe(2);
    expect(texts(await drain(ch, queue))).toEqual(['head', 'tail']);
    await ch.close();
  });

  it('TTL 0 delivers to a waiting consumer and expires otherwise', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, messageTtl: 0 });
    ch.sendToQueue(queue, body('nobody-waiting'));
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    const got: string[] = [];
    await ch.consume(queue, (m) => m && got.push(m.content.toString()), { noAck: true });
    ch.sendToQueue(queue, body('delivered'));
    await eventually(() => got.length === 1);
    expect(got).toEqual(['delivered']);
    await ch.close();
  });

  it('rejects an invalid expiration property with 406', async () => {
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const failed = channelError(ch);
    ch.sendToQueue(queue, body('x'), { expiration: 'soon' });
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain("invalid expiration 'soon'");
  });
});

describe('queue expiry (x-expires)', () => {
  it('deletes an unused queue after the period, and keeps a queue with a consumer', async () => {
    const ch = await conn.createChannel();
    await ch.assertQueue('expiring-unused', { expires: 150 });
    await ch.assertQueue('expiring-consumed', { expires: 150 });
    const { consumerTag } = await ch.consume('expiring-consumed', () => undefined);
    const exists = (name: string): boolean => broker.readModel.queue('/', name) !== undefined;
    await eventually(() => !exists('expiring-unused'), 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(exists('expiring-consumed')).toBe(true);
    await ch.cancel(consumerTag);
    await eventually(() => !exists('expiring-consumed'), 3000);
    await ch.close();
  });
});
