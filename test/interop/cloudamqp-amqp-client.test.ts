import { AMQPClient, type AMQPBaseClient, type AMQPChannel, type AMQPMessage } from '@cloudamqp/amqp-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/index.js';
import { eventually, openBroker } from '../helpers/broker.js';
import { expectedXDeath, resourceNames, SCENARIO_CONSTANTS as C, scenarioTitle as title } from './helpers/scenarios.js';
import { deferred, pollFor, withCredentials } from './helpers/wait.js';

const client = 'cloudamqp';
const n = resourceNames(client);
let broker: Broker;
let closeBroker: () => Promise<void>;
let conn: AMQPBaseClient | undefined;
let ch: AMQPChannel;

const connected = (): AMQPBaseClient => {
  if (conn === undefined) throw new Error('scenario 1 did not connect');
  return conn;
};
const bodyOf = (m: AMQPMessage | null): string | null => (m === null ? null : m.bodyString());

describe('@cloudamqp/amqp-client: scenarios', () => {
  beforeAll(async () => ({ broker, close: closeBroker } = await openBroker()));
  afterAll(async () => {
    await conn?.close().catch(() => undefined);
    await closeBroker();
  });

  it(title(1), async () => {
    await expect(new AMQPClient(withCredentials(broker.url, 'guest', 'wrong')).connect()).rejects.toThrow(/ACCESS.REFUSED|403/);
    conn = await new AMQPClient(broker.url).connect();
    expect(conn.closed).toBe(false);
    await eventually(() => broker.connectionCount() === 1);
  });

  it(title(2), async () => {
    ch = await connected().channel();
    await ch.confirmSelect();
    await ch.exchangeDeclare(n.topic, 'topic', { durable: true });
    await ch.exchangeDeclare(n.dlx, 'fanout', { durable: true });
    await ch.queueDeclare(n.dead, { durable: true });
    await ch.queueBind(n.dead, n.dlx, '');
    const ok = await ch.queueDeclare(
      n.work,
      { durable: true },
      { 'x-dead-letter-exchange': n.dlx, 'x-max-priority': C.maxPriority },
    );
    expect(ok).toEqual({ name: n.work, messageCount: 0, consumerCount: 0 });
    await ch.queueBind(n.work, n.topic, n.pattern);
    await Promise.all(C.priorities.map((p) => ch.basicPublish(n.topic, 'orders.priority', `p${p}`, { priority: p })));
    const order: (string | null)[] = [];
    for (let i = 0; i < C.priorities.length; i++) order.push(bodyOf(await ch.basicGet(n.work, { noAck: true })));
    expect(order).toEqual(['p9', 'p5', 'p1']);
  });

  it(title(3), async () => {
    const returned = deferred<AMQPMessage>();
    ch.onReturn = (m) => returned.resolve(m);
    await ch.basicPublish(n.topic, 'orders.new', 'confirmed', { deliveryMode: 2 }, true);
    await ch.basicPublish(n.topic, 'nowhere.at.all', 'lost', {}, true);
    const r = await returned.promise;
    expect(r).toMatchObject({ replyCode: C.noRoute.code, replyText: C.noRoute.text, exchange: n.topic, routingKey: 'nowhere.at.all' });
    expect(r.bodyString()).toBe('lost');
    expect((await ch.queueDeclare(n.work, { passive: true })).messageCount).toBe(1);
  });

  it(title(4), async () => {
    await ch.basicPublish(n.topic, 'orders.new', 'c1');
    await ch.basicPublish(n.topic, 'orders.new', 'c2');
    const consumerCh = await connected().channel();
    await consumerCh.basicQos(C.prefetch);
    const got: AMQPMessage[] = [];
    const consumer = await consumerCh.basicConsume(n.work, { noAck: false }, (m) => void got.push(m));
    await eventually(() => got.length === 2);
    expect((await ch.queueDeclare(n.work, { passive: true })).messageCount).toBe(1);
    expect(got).toHaveLength(2);
    await got[0]?.ack();
    await eventually(() => got.length === 3);
    await got[1]?.ack();
    await got[2]?.ack();
    expect(got.map((m) => m.bodyString())).toEqual(['confirmed', 'c1', 'c2']);
    await consumer.cancel();
    await consumerCh.close();
    expect((await ch.queueDeclare(n.work, { passive: true })).messageCount).toBe(0);
  });

  it(title(5), async () => {
    await ch.basicPublish(n.topic, 'orders.reject', 'doomed');
    const m = await pollFor(() => ch.basicGet(n.work, { noAck: false }), 'the message to reject');
    await m.nack(false);
    const dead = await pollFor(() => ch.basicGet(n.dead, { noAck: true }), 'the dead-lettered message');
    expect(dead.bodyString()).toBe('doomed');
    const xDeath = (dead.properties.headers ?? {})['x-death'] as unknown[];
    expect(xDeath).toHaveLength(1);
    expect(xDeath[0]).toMatchObject(expectedXDeath(client, 'orders.reject'));
  });

  it(title(6), async () => {
    await ch.basicPublish('', n.work, 'got');
    const m = await ch.basicGet(n.work, { noAck: false });
    expect(m).toMatchObject({ exchange: '', routingKey: n.work, redelivered: false, messageCount: 0 });
    expect(m?.bodyString()).toBe('got');
    await m?.ack();
    expect(await ch.basicGet(n.work, { noAck: false })).toBeNull();
  });

  it(title(7), async () => {
    await ch.exchangeDeclare(n.headers, 'headers', { durable: false });
    await ch.queueDeclare(n.headersQueue, { durable: false });
    await ch.queueBind(n.headersQueue, n.headers, '', C.headersBinding);
    await ch.basicPublish(n.headers, '', 'partial', { headers: { format: 'pdf' } });
    await ch.basicPublish(n.headers, '', 'full', { headers: { format: 'pdf', type: 'report', extra: 1 } });
    expect(bodyOf(await ch.basicGet(n.headersQueue, { noAck: true }))).toBe('full');
    expect(await ch.basicGet(n.headersQueue, { noAck: true })).toBeNull();
  });

  it(title(8), async () => {
    const tx = await connected().channel();
    await tx.queueDeclare(n.txQueue, { durable: false });
    await tx.txSelect();
    await tx.basicPublish('', n.txQueue, 'rolled-back');
    await tx.txRollback();
    expect((await tx.queueDeclare(n.txQueue, { passive: true })).messageCount).toBe(0);
    await tx.basicPublish('', n.txQueue, 'committed');
    expect((await tx.queueDeclare(n.txQueue, { passive: true })).messageCount).toBe(0);
    await tx.txCommit();
    expect(bodyOf(await tx.basicGet(n.txQueue, { noAck: true }))).toBe('committed');
    expect(await tx.basicGet(n.txQueue, { noAck: true })).toBeNull();
    await tx.close();
  });

  it(title(9), async () => {
    for (const q of [n.work, n.dead, n.headersQueue, n.txQueue]) expect(await ch.queueDelete(q)).toEqual({ messageCount: 0 });
    for (const x of [n.topic, n.dlx, n.headers]) await ch.exchangeDelete(x);
    const probe = await connected().channel();
    await expect(probe.queueDeclare(n.work, { passive: true })).rejects.toThrow(/404|NOT_FOUND/);
    const probe2 = await connected().channel();
    await expect(probe2.exchangeDeclare(n.topic, 'topic', { passive: true })).rejects.toThrow(/404|NOT_FOUND/);
  });

  it(title(10), async () => {
    await ch.close();
    await connected().close();
    expect(connected().closed).toBe(true);
    conn = undefined;
    await eventually(() => broker.connectionCount() === 0);
  });
});
