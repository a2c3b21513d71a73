import type { ChannelModel, ConfirmChannel, GetMessage, Message, Options } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { expectedXDeath, resourceNames, SCENARIO_CONSTANTS as C, scenarioTitle as title } from './scenarios.js';
import { deferred, pollFor, withCredentials } from './wait.js';

/** The part of amqplib's promise API the scenarios use; amqplib 2.x and 0.10.x both have it. */
export interface AmqplibModule {
  connect(url: string | Options.Connect): Promise<ChannelModel>;
}

export interface AmqplibSuiteOptions {
  /** Appended to the broker URL, e.g. '?frameMax=4096'. */
  readonly urlSuffix?: string;
  /** Extra checks right after connecting (scenario 1). */
  readonly afterConnect?: (conn: ChannelModel) => void;
}

/**
 * The ten scenarios through amqplib's promise API. Scenario 8 is recorded as n/a: amqplib has no
 * transaction methods (tx.select/commit/rollback) in its public API.
 */
export function amqplibScenarios(client: string, lib: AmqplibModule, options: AmqplibSuiteOptions = {}): void {
  const n = resourceNames(client);
  let broker: Broker;
  let closeBroker: () => Promise<void>;
  let conn: ChannelModel | undefined;
  let ch: ConfirmChannel;

  const confirmedPublish = (exchange: string, key: string, body: string, opts: Options.Publish = {}): Promise<void> =>
    new Promise((resolve, reject) => {
      ch.publish(exchange, key, Buffer.from(body), opts, (err) => (err ? reject(err as Error) : resolve()));
    });
  const bodyOf = (m: Message | GetMessage | false): string | false => (m === false ? false : m.content.toString());

  describe(`${client}: scenarios`, () => {
    beforeAll(async () => ({ broker, close: closeBroker } = await openBroker()));
    afterAll(async () => {
      await conn?.close().catch(() => undefined);
      await closeBroker();
    });

    it(title(1), async () => {
      await expect(lib.connect(withCredentials(broker.url, 'guest', 'wrong') + (options.urlSuffix ?? ''))).rejects.toThrow(
        /ACCESS.REFUSED|403/,
      );
      conn = await lib.connect(broker.url + (options.urlSuffix ?? ''));
      expect(conn.connection.serverProperties.product).toBe('Warren');
      options.afterConnect?.(conn);
      await eventually(() => broker.connectionCount() === 1);
    });

    it(title(2), async () => {
      if (conn === undefined) throw new Error('scenario 1 did not connect');
      ch = await conn.createConfirmChannel();
      await ch.assertExchange(n.topic, 'topic', { durable: true });
      await ch.assertExchange(n.dlx, 'fanout', { durable: true });
      await ch.assertQueue(n.dead, { durable: true });
      await ch.bindQueue(n.dead, n.dlx, '');
      const ok = await ch.assertQueue(n.work, { durable: true, deadLetterExchange: n.dlx, maxPriority: C.maxPriority });
      expect(ok).toEqual({ queue: n.work, messageCount: 0, consumerCount: 0 });
      await ch.bindQueue(n.work, n.topic, n.pattern);
      // The binding routes, and the queue honours x-max-priority: highest priority first.
      for (const p of C.priorities) ch.publish(n.topic, 'orders.priority', Buffer.from(`p${p}`), { priority: p });
      await ch.waitForConfirms();
      const order: (string | false)[] = [];
      for (let i = 0; i < C.priorities.length; i++) order.push(bodyOf(await ch.get(n.work, { noAck: true })));
      expect(order).toEqual(['p9', 'p5', 'p1']);
    });

    it(title(3), async () => {
      const returned = deferred<Message>();
      ch.once('return', (m: Message) => returned.resolve(m));
      await confirmedPublish(n.topic, 'orders.new', 'confirmed', { mandatory: true, persistent: true });
      // Unroutable and mandatory: confirmed too (RabbitMQ acks after the basic.return).
      await confirmedPublish(n.topic, 'nowhere.at.all', 'lost', { mandatory: true });
      const r = await returned.promise;
      expect(r.fields).toMatchObject({ replyCode: C.noRoute.code, replyText: C.noRoute.text, exchange: n.topic, routingKey: 'nowhere.at.all' });
      expect(r.content.toString()).toBe('lost');
      expect((await ch.checkQueue(n.work)).messageCount).toBe(1);
    });

    it(title(4), async () => {
      if (conn === undefined) throw new Error('scenario 1 did not connect');
      await confirmedPublish(n.topic, 'orders.new', 'c1');
      await confirmedPublish(n.topic, 'orders.new', 'c2');
      const consumer = await conn.createChannel();
      await consumer.prefetch(C.prefetch);
      const got: Message[] = [];
      const { consumerTag } = await consumer.consume(n.work, (m) => m && got.push(m), { noAck: false });
      await eventually(() => got.length === 2);
      // Prefetch 2 holds the third message back until an ack frees credit.
      expect((await ch.checkQueue(n.work)).messageCount).toBe(1);
      expect(got).toHaveLength(2);
      consumer.ack(got[0] as Message);
      await eventually(() => got.length === 3);
      consumer.ack(got[1] as Message);
      consumer.ack(got[2] as Message);
      expect(got.map((m) => m.content.toString())).toEqual(['confirmed', 'c1', 'c2']);
      await consumer.cancel(consumerTag);
      await consumer.close(); // unacked deliveries would be requeued here; the acks must have landed
      expect((await ch.checkQueue(n.work)).messageCount).toBe(0);
    });

    it(title(5), async () => {
      await confirmedPublish(n.topic, 'orders.reject', 'doomed');
      const m = await pollFor(() => ch.get(n.work, { noAck: false }), 'the message to reject');
      ch.nack(m, false, false);
      const dead = await pollFor(() => ch.get(n.dead, { noAck: true }), 'the dead-lettered message');
      expect(dead.content.toString()).toBe('doomed');
      const xDeath = (dead.properties.headers ?? {})['x-death'] as unknown[];
      expect(xDeath).toHaveLength(1);
      expect(xDeath[0]).toMatchObject(expectedXDeath(client, 'orders.reject'));
      expect((await ch.checkQueue(n.work)).messageCount).toBe(0);
    });

    it(title(6), async () => {
      await confirmedPublish('', n.work, 'got');
      const m = await ch.get(n.work, { noAck: false });
      expect(m).not.toBe(false);
      if (m === false) return;
      expect(m.content.toString()).toBe('got');
      expect(m.fields).toMatchObject({ exchange: '', routingKey: n.work, redelivered: false, messageCount: 0 });
      ch.ack(m);
      expect(await ch.get(n.work, { noAck: false })).toBe(false);
    });

    it(title(7), async () => {
      await ch.assertExchange(n.headers, 'headers', { durable: false });
      await ch.assertQueue(n.headersQueue, { durable: false });
      await ch.bindQueue(n.headersQueue, n.headers, '', C.headersBinding);
      await confirmedPublish(n.headers, '', 'partial', { headers: { format: 'pdf' } });
      await confirmedPublish(n.headers, '', 'full', { headers: { format: 'pdf', type: 'report', extra: 1 } });
      expect(bodyOf(await ch.get(n.headersQueue, { noAck: true }))).toBe('full');
      expect(await ch.get(n.headersQueue, { noAck: true })).toBe(false);
    });

    it.skip(`${title(8)}: n/a (amqplib has no API for tx.select/commit/rollback)`, () => undefined);

    it(title(9), async () => {
      if (conn === undefined) throw new Error('scenario 1 did not connect');
      for (const q of [n.work, n.dead, n.headersQueue]) expect(await ch.deleteQueue(q)).toEqual({ messageCount: 0 });
      for (const x of [n.topic, n.dlx, n.headers]) await ch.deleteExchange(x);
      const probe = await conn.createChannel();
      probe.on('error', () => undefined);
      await expect(probe.checkQueue(n.work)).rejects.toThrow(/404|NOT_FOUND/);
      const probe2 = await conn.createChannel();
      probe2.on('error', () => undefined);
      await expect(probe2.checkExchange(n.topic)).rejects.toThrow(/404|NOT_FOUND/);
    });

    it(title(10), async () => {
      if (conn === undefined) throw new Error('scenario 1 did not connect');
      const closed = deferred<unknown>();
      conn.once('close', (err?: unknown) => closed.resolve(err));
      await ch.close();
      await conn.close();
      conn = undefined;
      expect(await closed.promise).toBeUndefined(); // no error: a clean connection.close handshake
      await eventually(() => broker.connectionCount() === 0);
    });
  });
}
