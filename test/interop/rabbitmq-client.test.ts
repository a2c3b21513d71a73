import { Connection, type AsyncMessage, type Channel, type ReturnedMessage } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/index.js';
import { eventually, openBroker } from '../helpers/broker.js';
import { expectedXDeath, resourceNames, SCENARIO_CONSTANTS as C, scenarioTitle as title } from './helpers/scenarios.js';
import { deferred, pollFor, withCredentials } from './helpers/wait.js';

const client = 'rabbitmq-client';
const n = resourceNames(client);
let broker: Broker;
let closeBroker: () => Promise<void>;
let rabbit: Connection | undefined;
let ch: Channel;

const connected = (): Connection => {
  if (rabbit === undefined) throw new Error('scenario 1 did not connect');
  return rabbit;
};
const depth = async (queue: string): Promise<number> => (await ch.queueDeclare({ queue, passive: true })).messageCount;

describe('rabbitmq-client: scenarios', () => {
  beforeAll(async () => ({ broker, close: closeBroker } = await openBroker()));
  afterAll(async () => {
    await rabbit?.close().catch(() => undefined);
    await closeBroker();
  });

  it(title(1), async () => {
    // The client retries a failed login; its first 'error' event carries the broker's reply.
    const refused = new Connection({ url: withCredentials(broker.url, 'guest', 'wrong'), retryLow: 1000 });
    const err = deferred<{ code?: string }>();
    refused.on('error', (e: { code?: string }) => err.resolve(e));
    expect((await err.promise).code).toBe('ACCESS_REFUSED');
    await refused.close();

    rabbit = new Connection(broker.url);
    await rabbit.onConnect(5000);
    expect(rabbit.ready).toBe(true);
    await eventually(() => broker.connectionCount() === 1);
  });

  it(title(2), async () => {
    ch = await connected().acquire();
    await ch.confirmSelect();
    await ch.exchangeDeclare({ exchange: n.topic, type: 'topic', durable: true });
    await ch.exchangeDeclare({ exchange: n.dlx, type: 'fanout', durable: true });
    await ch.queueDeclare({ queue: n.dead, durable: true });
    await ch.queueBind({ queue: n.dead, exchange: n.dlx, routingKey: '' });
    const ok = await ch.queueDeclare({
      queue: n.work,
      durable: true,
      arguments: { 'x-dead-letter-exchange': n.dlx, 'x-max-priority': C.maxPriority },
    });
    expect(ok).toEqual({ queue: n.work, messageCount: 0, consumerCount: 0 });
    await ch.queueBind({ queue: n.work, exchange: n.topic, routingKey: n.pattern });
    for (const p of C.priorities) await ch.basicPublish({ exchange: n.topic, routingKey: 'orders.priority', priority: p }, `p${p}`);
    const order: unknown[] = [];
    for (let i = 0; i < C.priorities.length; i++) order.push((await ch.basicGet({ queue: n.work, noAck: true }))?.body);
    expect(order).toEqual(['p9', 'p5', 'p1']);
  });

  it(title(3), async () => {
    const returned = deferred<ReturnedMessage>();
    ch.once('basic.return', (m) => returned.resolve(m));
    await ch.basicPublish({ exchange: n.topic, routingKey: 'orders.new', mandatory: true, durable: true }, 'confirmed');
    await ch.basicPublish({ exchange: n.topic, routingKey: 'nowhere.at.all', mandatory: true }, 'lost');
    const r = await returned.promise;
    expect(r).toMatchObject({ replyCode: C.noRoute.code, replyText: C.noRoute.text, exchange: n.topic, routingKey: 'nowhere.at.all', body: 'lost' });
    expect(await depth(n.work)).toBe(1);
  });

  it(title(4), async () => {
    await ch.basicPublish({ exchange: n.topic, routingKey: 'orders.new' }, 'c1');
    await ch.basicPublish({ exchange: n.topic, routingKey: 'orders.new' }, 'c2');
    const consumerCh = await connected().acquire();
    await consumerCh.basicQos({ prefetchCount: C.prefetch });
    const got: AsyncMessage[] = [];
    const { consumerTag } = await consumerCh.basicConsume({ queue: n.work, noAck: false }, (m) => void got.push(m));
    await eventually(() => got.length === 2);
    expect(await depth(n.work)).toBe(1);
    expect(got).toHaveLength(2);
    consumerCh.basicAck({ deliveryTag: (got[0] as AsyncMessage).deliveryTag });
    await eventually(() => got.length === 3);
    consumerCh.basicAck({ deliveryTag: (got[2] as AsyncMessage).deliveryTag, multiple: true });
    expect(got.map((m) => m.body)).toEqual(['confirmed', 'c1', 'c2']);
    await consumerCh.basicCancel({ consumerTag });
    await consumerCh.close();
    expect(await depth(n.work)).toBe(0);
  });

  it(title(5), async () => {
    await ch.basicPublish({ exchange: n.topic, routingKey: 'orders.reject' }, 'doomed');
    const m = await pollFor(() => ch.basicGet({ queue: n.work, noAck: false }), 'the message to reject');
    ch.basicNack({ deliveryTag: m.deliveryTag, requeue: false });
    const dead = await pollFor(() => ch.basicGet({ queue: n.dead, noAck: true }), 'the dead-lettered message');
    expect(dead.body).toBe('doomed');
    const xDeath = (dead.headers ?? {})['x-death'] as unknown[];
    expect(xDeath).toHaveLength(1);
    expect(xDeath[0]).toMatchObject(expectedXDeath(client, 'orders.reject'));
  });

  it(title(6), async () => {
    await ch.basicPublish({ routingKey: n.work }, 'got');
    const m = await ch.basicGet({ queue: n.work, noAck: false });
    expect(m).toMatchObject({ exchange: '', routingKey: n.work, redelivered: false, messageCount: 0, body: 'got' });
    ch.basicAck({ deliveryTag: m?.deliveryTag ?? -1 });
    expect(await ch.basicGet({ queue: n.work, noAck: false })).toBeUndefined();
  });

  it(title(7), async () => {
    await ch.exchangeDeclare({ exchange: n.headers, type: 'headers' });
    await ch.queueDeclare({ queue: n.headersQueue });
    await ch.queueBind({ queue: n.headersQueue, exchange: n.headers, arguments: { ...C.headersBinding } });
    await ch.basicPublish({ exchange: n.headers, headers: { format: 'pdf' } }, 'partial');
    await ch.basicPublish({ exchange: n.headers, headers: { format: 'pdf', type: 'report', extra: 1 } }, 'full');
    expect((await ch.basicGet({ queue: n.headersQueue, noAck: true }))?.body).toBe('full');
    expect(await ch.basicGet({ queue: n.headersQueue, noAck: true })).toBeUndefined();
  });

  it(title(8), async () => {
    const tx = await connected().acquire();
    await tx.queueDeclare({ queue: n.txQueue });
    await tx.txSelect();
    await tx.basicPublish({ routingKey: n.txQueue }, 'rolled-back');
    await tx.txRollback();
    expect((await tx.queueDeclare({ queue: n.txQueue, passive: true })).messageCount).toBe(0);
    await tx.basicPublish({ routingKey: n.txQueue }, 'committed');
    await tx.txCommit();
    expect((await tx.basicGet({ queue: n.txQueue, noAck: true }))?.body).toBe('committed');
    expect(await tx.basicGet({ queue: n.txQueue, noAck: true })).toBeUndefined();
    await tx.close();
  });

  it(title(9), async () => {
    for (const queue of [n.work, n.dead, n.headersQueue, n.txQueue]) expect(await ch.queueDelete({ queue })).toEqual({ messageCount: 0 });
    for (const exchange of [n.topic, n.dlx, n.headers]) await ch.exchangeDelete({ exchange });
    const probe = await connected().acquire();
    await expect(probe.queueDeclare({ queue: n.work, passive: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const probe2 = await connected().acquire();
    await expect(probe2.exchangeDeclare({ exchange: n.topic, passive: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it(title(10), async () => {
    await ch.close();
    await connected().close();
    expect(connected().ready).toBe(false);
    rabbit = undefined;
    await eventually(() => broker.connectionCount() === 0);
  });
});
