import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
beforeAll(async () => {
  ({ broker, close } = await openBroker());
  conn = await amqp.connect(broker.url);
  ch = await conn.createChannel();
});
afterAll(async () => {
  await conn.close();
  await close();
});

let n = 0;
/** A source queue dead-lettering into a fresh fanout exchange bound to a fresh sink queue. */
async function topology(sourceArgs: Record<string, unknown>, dlxType = 'fanout', exclusive = true): Promise<{ source: string; sink: string; dlx: string }> {
  n++;
  const dlx = `dlx-${n}`;
  await ch.assertExchange(dlx, dlxType, { autoDelete: false });
  const { queue: sink } = await ch.assertQueue(`sink-${n}`, { exclusive: true });
  await ch.bindQueue(sink, dlx, dlxType === 'fanout' ? '' : '#');
  const { queue: source } = await ch.assertQueue(`source-${n}`, {
    exclusive,
    arguments: { 'x-dead-letter-exchange': dlx, ...sourceArgs },
  });
  return { source, sink, dlx };
}

async function getOne(queue: string): Promise<amqp.GetMessage> {
  let got: amqp.GetMessage | false = false;
  for (let i = 0; i < 200 && got === false; i++) {
    got = await ch.get(queue, { noAck: true });
    if (got === false) await new Promise((r) => setTimeout(r, 10));
  }
  if (got === false) throw new Error(`nothing arrived in ${queue}`);
  return got;
}

describe('dead-lettering', () => {
  it('rejected: x-death as RabbitMQ 3.13 writes it, first/last death headers, CC kept in routing-keys', async () => {
    const { source, sink, dlx } = await topology({});
    await ch.bindQueue(source, 'amq.direct', 'rk-main');
    const before = Math.floor(Date.now() / 1000);
    ch.publish('amq.direct', 'rk-main', body('bad'), { headers: { CC: ['rk-cc'], app: 'x' } });
    await ch.checkQueue(source);
    const m = await ch.get(source);
    if (m === false) throw new Error('no message');
    ch.reject(m, false);
    const dead = await getOne(sink);
    expect(dead.content.toString()).toBe('bad');
    expect(dead.fields.exchange).toBe(dlx);
    expect(dead.fields.routingKey).toBe('rk-main');
    const h = dead.properties.headers!;
    expect(h['app']).toBe('x');
    expect(xDeath(dead)).toHaveLength(1);
    const death = xDeath(dead)[0]!;
    expect(Object.keys(death)).toEqual(['count', 'reason', 'queue', 'time', 'exchange', 'routing-keys']);
    expect(death).toMatchObject({ count: 1, reason: 'rejected', queue: source, exchange: 'amq.direct', 'routing-keys': ['rk-main', 'rk-cc'] });
    const time = death.time as { value?: number } | number;
    const seconds = typeof time === 'number' ? time : (time.value ?? NaN);
    expect(seconds).toBeGreaterThanOrEqual(before);
    expect(h['x-first-death-queue']).toBe(source);
    expect(h['x-first-death-reason']).toBe('rejected');
    expect(h['x-first-death-exchange']).toBe('amq.direct');
    expect(h['x-last-death-queue']).toBe(source);
    expect(h['x-last-death-reason']).toBe('rejected');
    expect(h['x-last-death-exchange']).toBe('amq.direct');
  });

  it('expired: original-expiration recorded and the expiration property removed', async () => {
    const { source, sink } = await topology({});
    ch.sendToQueue(source, body('stale'), { expiration: '20' });
    const dead = await getOne(sink);
    expect(dead.properties.expiration).toBeUndefined();
    const death = xDeath(dead)[0]!;
    expect(death).toMatchObject({ reason: 'expired', queue: source, exchange: '', 'original-expiration': '20' });
  });

  it('uses x-dead-letter-routing-key when set', async () => {
    const { source, sink } = await topology({ 'x-dead-letter-routing-key': 'redirected' }, 'topic');
    ch.sendToQueue(source, body('x'), { expiration: '0' });
    const dead = await getOne(sink);
    expect(dead.fields.routingKey).toBe('redirected');
  });

  it('counts repeated deaths in one entry per queue and reason, moved to the front', async () => {
    n++;
    const [a, b, toA, toB] = [`ping-${n}`, `pong-${n}`, `to-ping-${n}`, `to-pong-${n}`];
    await ch.assertExchange(toA, 'fanout', { autoDelete: false });
    await ch.assertExchange(toB, 'fanout', { autoDelete: false });
    await ch.assertQueue(a, { exclusive: true, arguments: { 'x-dead-letter-exchange': toB } });
    await ch.assertQueue(b, { exclusive: true, arguments: { 'x-dead-letter-exchange': toA, 'x-message-ttl': 100 } });
    await ch.bindQueue(a, toA, '');
    await ch.bindQueue(b, toB, '');
    const rejectFromA = async (): Promise<amqp.GetMessage> => {
      let m: amqp.GetMessage | false = false;
      await eventually(() => broker.readModel.queue('/', a)?.messagesReady === 1, 3000);
      m = await ch.get(a);
      if (m === false) throw new Error(`nothing in ${a}`);
      ch.reject(m, false);
      return m;
    };
    ch.sendToQueue(a, body('ping'));
    await ch.checkQueue(a);
    await rejectFromA(); // rejected in a -> b, expires there -> back to a
    const second = await rejectFromA();
    const seen = xDeath(second);
    expect(seen.map((d) => [d['queue'], d['reason'], d['count']])).toEqual([
      [b, 'expired', 1],
      [a, 'rejected', 1],
    ]);
    const last = await getOne(b);
    const deaths = xDeath(last);
    expect(deaths.map((d) => [d['queue'], d['reason'], d['count']])).toEqual([
      [a, 'rejected', 2],
      [b, 'expired', 1],
    ]);
    expect(last.properties.headers!['x-first-death-queue']).toBe(a);
    expect(last.properties.headers!['x-last-death-queue']).toBe(a);
  });

  it('stops a dead-letter cycle without rejections by dropping the message', async () => {
    n++;
    const self = `self-${n}`;
    // The queue dead-letters expired messages to the default exchange with its own name: a cycle.
    await ch.assertQueue(self, { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-message-ttl': 10 } });
    ch.sendToQueue(self, body('spin'));
    await ch.checkQueue(self);
    await eventually(() => broker.readModel.queue('/', self)?.messagesReady === 0, 3000);
    await new Promise((r) => setTimeout(r, 100));
    expect((await ch.checkQueue(self)).messageCount).toBe(0);
  });

  it('a dead-lettering during a publish (drop-head overflow) does not cut that publish short for the queues after it', async () => {
    n++;
    const [fx, overflowing, plain, sink] = [`fan-${n}`, `overflowing-${n}`, `plain-${n}`, `maxlen-sink-${n}`];
    await ch.assertExchange(fx, 'fanout', { autoDelete: false });
    await ch.assertQueue(sink, { exclusive: true });
    const args = { 'x-max-length': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': sink };
    await ch.assertQueue(overflowing, { exclusive: true, arguments: args });
    await ch.assertQueue(plain, { exclusive: true });
    // Bound first, so the second publish's dead-lettering runs before that publish reaches `plain`.
    await ch.bindQueue(overflowing, fx, '');
    await ch.bindQueue(plain, fx, '');
    ch.publish(fx, '', body('m1'));
    ch.publish(fx, '', body('m2'));
    const dead = await getOne(sink);
    expect(dead.content.toString()).toBe('m1');
    expect(xDeath(dead)[0]).toMatchObject({ reason: 'maxlen', queue: overflowing, exchange: fx });
    expect((await ch.get(overflowing, { noAck: true }) as amqp.GetMessage).content.toString()).toBe('m2');
    const delivered: string[] = [];
    for (let m = await ch.get(plain, { noAck: true }); m !== false; m = await ch.get(plain, { noAck: true })) delivered.push(m.content.toString());
    expect(delivered).toEqual(['m1', 'm2']);
  });

  it('dead-letters with @cloudamqp/amqp-client too (nack requeue=false)', async () => {
    const { source, sink } = await topology({}, 'fanout', false);
    const client = new AMQPClient(broker.url);
    const c = await client.connect();
    const cch = await c.channel();
    await cch.basicPublish('', source, 'via-cloudamqp');
    const msg = await cch.basicGet(source, { noAck: false });
    await msg?.nack(false);
    const dead = await getOne(sink);
    expect(dead.content.toString()).toBe('via-cloudamqp');
    expect(xDeath(dead)[0]).toMatchObject({ reason: 'rejected', count: 1 });
    await c.close();
    await ch.deleteQueue(source);
  });
});

function xDeath(m: amqp.Message): Record<string, unknown>[] {
  return (m.properties.headers?.['x-death'] ?? []) as unknown as Record<string, unknown>[];
}

describe('dead-lettering several at once', () => {
  it('nack multiple with requeue=false dead-letters the messages in delivery order', async () => {
    n++;
    const { source, sink } = await topology({});
    for (const t of ['m1', 'm2', 'm3', 'm4']) ch.sendToQueue(source, Buffer.from(t));
    await ch.checkQueue(source);
    const got: amqp.GetMessage[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await ch.get(source);
      if (m === false) throw new Error('missing');
      got.push(m);
    }
    ch.nack(got[3]!, true, false);
    await eventually(() => broker.readModel.queue('/', sink)?.messagesReady === 4);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await getOne(sink)).content.toString());
    expect(order).toEqual(['m1', 'm2', 'm3', 'm4']);
  });
});
