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

describe('x-delayed-message exchange', () => {
  it('holds messages until their x-delay is due, releasing them in due order', async () => {
    const ch = await conn.createChannel();
    await ch.assertExchange('delayed-direct', 'x-delayed-message', { autoDelete: false, arguments: { 'x-delayed-type': 'direct' } });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'delayed-direct', 'k');
    const got: [string, number][] = [];
    const start = Date.now();
    await ch.consume(queue, (m) => m && got.push([m.content.toString(), Date.now() - start]), { noAck: true });
    ch.publish('delayed-direct', 'k', body('late'), { headers: { 'x-delay': 400 } });
    ch.publish('delayed-direct', 'k', body('soon'), { headers: { 'x-delay': 150 } });
    ch.publish('delayed-direct', 'k', body('now'));
    ch.publish('delayed-direct', 'k', body('negative-is-now'), { headers: { 'x-delay': -5 } });
    await eventually(() => got.length === 4, 5000);
    expect(got.map(([t]) => t)).toEqual(['now', 'negative-is-now', 'soon', 'late']);
    expect(got[2]![1]).toBeGreaterThanOrEqual(140);
    expect(got[3]![1]).toBeGreaterThanOrEqual(390);
    await ch.close();
  });

  it('routes by the x-delayed-type (topic) and does not return held mandatory messages', async () => {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('delayed-topic', 'x-delayed-message', { autoDelete: false, arguments: { 'x-delayed-type': 'topic' } });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'delayed-topic', 'a.*');
    let returned = 0;
    ch.on('return', () => returned++);
    ch.publish('delayed-topic', 'a.b', body('match'), { mandatory: true, headers: { 'x-delay': 50 } });
    ch.publish('delayed-topic', 'x.y', body('no-match'), { headers: { 'x-delay': 50 } });
    await ch.waitForConfirms();
    expect(returned).toBe(0);
    await eventually(() => broker.readModel.queue('/', queue)?.messagesReady === 1, 3000);
    await new Promise((r) => setTimeout(r, 100));
    const m = await ch.get(queue, { noAck: true });
    expect(m && m.content.toString()).toBe('match');
    expect(await ch.get(queue)).toBe(false);
    await ch.close();
  });

  it('accepts delays beyond 2^32-1 ms (held, not fired)', async () => {
    const ch = await conn.createChannel();
    await ch.assertExchange('delayed-far', 'x-delayed-message', { autoDelete: false, arguments: { 'x-delayed-type': 'fanout' } });
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(queue, 'delayed-far', '');
    ch.publish('delayed-far', '', body('next-century'), { headers: { 'x-delay': 2 ** 32 + 1000 } });
    await ch.checkQueue(queue);
    expect(broker.readModel.exchange('/', 'delayed-far')?.messagesDelayed).toBe(1);
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    await ch.close();
  });

  it('a released message keeps its expiration: it expires in the queue, counted from its release', async () => {
    const ch = await conn.createChannel();
    await ch.assertExchange('delayed-ttl', 'x-delayed-message', { autoDelete: false, arguments: { 'x-delayed-type': 'direct' } });
    const { queue: expired } = await ch.assertQueue('', { exclusive: true });
    const { queue } = await ch.assertQueue('', { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': expired } });
    await ch.bindQueue(queue, 'delayed-ttl', 'k');
    const start = Date.now();
    ch.publish('delayed-ttl', 'k', body('short-lived'), { expiration: '100', headers: { 'x-delay': 200 } });
    // Nobody consumes `queue`: the message can only reach `expired` by expiring there after its release.
    const dead = await firstMessage(ch, expired, 5000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290); // 200 ms held, then 100 ms in the queue
    const death = dead.properties.headers?.['x-death']?.[0];
    expect(death).toMatchObject({ reason: 'expired', queue, exchange: 'delayed-ttl', 'original-expiration': '100' });
    await ch.close();
  });

  it("a released message gets the queue's x-message-ttl when it is the lower", async () => {
    const ch = await conn.createChannel();
    await ch.assertExchange('delayed-queue-ttl', 'x-delayed-message', { autoDelete: false, arguments: { 'x-delayed-type': 'fanout' } });
    const { queue: expired } = await ch.assertQueue('', { exclusive: true });
    const args = { 'x-message-ttl': 50, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': expired };
    const { queue } = await ch.assertQueue('', { exclusive: true, arguments: args });
    await ch.bindQueue(queue, 'delayed-queue-ttl', '');
    ch.publish('delayed-queue-ttl', '', body('hour'), { expiration: '3600000', headers: { 'x-delay': 50 } });
    const dead = await firstMessage(ch, expired, 5000);
    expect(dead.properties.headers?.['x-death']?.[0]).toMatchObject({ reason: 'expired', queue });
    await ch.close();
  });

  it('refuses an invalid expiration with 406 when it is published, before the exchange holds it', async () => {
    const ch = await conn.createChannel();
    await ch.assertExchange('delayed-bad-ttl', 'x-delayed-message', { autoDelete: false, arguments: { 'x-delayed-type': 'fanout' } });
    const failed = channelError(ch);
    ch.publish('delayed-bad-ttl', '', body('x'), { expiration: '-5', headers: { 'x-delay': 10 } });
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain("invalid expiration '-5': {value_negative,-5}");
  });

  it('requires a valid x-delayed-type (406)', async () => {
    const ch = await conn.createChannel();
    const failed = channelError(ch);
    ch.assertExchange('delayed-bad', 'x-delayed-message', { arguments: { 'x-delayed-type': 'nope' } }).catch(() => undefined);
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain("invalid arg 'x-delayed-type'");
  });

  it('the classic TTL + dead-letter delay pattern works', async () => {
    const ch = await conn.createChannel();
    const { queue: target } = await ch.assertQueue('', { exclusive: true });
    const { queue: wait } = await ch.assertQueue('', {
      exclusive: true,
      arguments: { 'x-message-ttl': 100, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': target },
    });
    const start = Date.now();
    ch.sendToQueue(wait, body('delayed-by-ttl'));
    await eventually(() => broker.readModel.queue('/', target)?.messagesReady === 1, 3000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(90);
    await ch.close();
  });
});

describe('direct reply-to (amq.rabbitmq.reply-to)', () => {
  it('routes an RPC reply straight to the requesting consumer', async () => {
    const server = await conn.createChannel();
    const { queue: rpc } = await server.assertQueue('', { exclusive: true });
    await server.consume(rpc, (m) => {
      if (!m) return;
      server.sendToQueue(m.properties.replyTo as string, Buffer.from(`pong:${m.content.toString()}`), {
        correlationId: m.properties.correlationId as string,
      });
    }, { noAck: true });
    const client = await conn.createChannel();
    const replies: [string, string][] = [];
    await client.consume('amq.rabbitmq.reply-to', (m) => m && replies.push([m.content.toString(), m.properties.correlationId as string]), { noAck: true });
    client.sendToQueue(rpc, body('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' });
    await eventually(() => replies.length === 1);
    expect(replies).toEqual([['pong:ping', 'c1']]);
    const ok = await client.checkQueue('amq.rabbitmq.reply-to');
    expect(ok.queue).toBe('amq.rabbitmq.reply-to');
    await client.close();
    await server.close();
  });

  it('refuses a reply-to publish without a reply consumer, and an acking reply consumer (406)', async () => {
    const ch = await conn.createChannel();
    const failed = channelError(ch);
    ch.sendToQueue('anything', body('x'), { replyTo: 'amq.rabbitmq.reply-to' });
    const err = await failed;
    expect(err.code).toBe(406);
    expect(err.message).toContain('fast reply consumer does not exist');
    const ch2 = await conn.createChannel();
    const failed2 = channelError(ch2);
    ch2.consume('amq.rabbitmq.reply-to', () => undefined, { noAck: false }).catch(() => undefined);
    expect((await failed2).message).toContain('reply consumer cannot acknowledge');
  });
});

/** The first message consumed from queue (acked), or a failure naming the queue after timeoutMs. */
async function firstMessage(ch: amqp.Channel, queue: string, timeoutMs: number): Promise<amqp.ConsumeMessage> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<amqp.ConsumeMessage>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`nothing arrived in ${queue} within ${timeoutMs} ms`)), timeoutMs);
      void ch.consume(queue, (m) => m && resolve(m), { noAck: true });
    });
  } finally {
    clearTimeout(timer);
  }
}
