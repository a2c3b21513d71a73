import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { body, consumeN } from '../../helpers/amqp.js';

/** The broker's first accepted connection is number 1 (Connection.id counts per broker). */
const FIRST_CONNECTION = 1;

async function open(broker: Broker): Promise<{ conn: amqp.ChannelModel; ch: amqp.Channel }> {
  const conn = await amqp.connect(broker.url);
  return { conn, ch: await conn.createChannel() };
}

const queueStats = (broker: Broker, name: string) => {
  const s = broker.stats.queue('/', name);
  if (s === undefined) throw new Error(`no stats for queue ${name}`);
  return s;
};

describe('exchange, channel and connection counters', () => {
  it('counts publishes in, routed deliveries out, returns of mandatory and drops of the rest', async () => {
    await withBroker(async (broker) => {
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange('orders', 'direct', { durable: false });
      await ch.assertQueue('orders-a', { durable: false });
      await ch.assertQueue('orders-b', { durable: false });
      await ch.bindQueue('orders-a', 'orders', 'new');
      await ch.bindQueue('orders-b', 'orders', 'new');
      let returned = 0;
      ch.on('return', () => returned++);
      for (let i = 0; i < 7; i++) ch.publish('orders', 'new', body(`m${i}`), { mandatory: true });
      for (let i = 0; i < 3; i++) ch.publish('orders', 'nowhere', body(`r${i}`), { mandatory: true });
      for (let i = 0; i < 2; i++) ch.publish('orders', 'nowhere', body(`d${i}`));
      await ch.waitForConfirms();
      await eventually(() => returned === 3);

      const x = broker.stats.exchange('/', 'orders');
      expect(x).toMatchObject({ publish_in: 12, publish_out: 14, return_unroutable: 3, drop_unroutable: 2 });
      expect(x?.publish_in_details).toEqual({ rate: 0 }); // nothing sampled yet
      const expected = { publish: 12, confirm: 12, return_unroutable: 3, drop_unroutable: 2 };
      expect(broker.stats.channel(FIRST_CONNECTION, 1)).toMatchObject(expected);
      expect(broker.stats.connection(FIRST_CONNECTION)).toMatchObject(expected);
      expect(queueStats(broker, 'orders-a').publish).toBe(7);
      expect(broker.stats.totals()).toMatchObject(expected);

      // A closed channel leaves its connection's counts; a closed connection leaves the totals'.
      await ch.close();
      expect(broker.stats.channel(FIRST_CONNECTION, 1)).toBeUndefined();
      expect(broker.stats.connection(FIRST_CONNECTION)).toMatchObject(expected);
      await conn.close();
      await eventually(() => broker.stats.connection(FIRST_CONNECTION) === undefined);
      expect(broker.stats.totals()).toMatchObject(expected);
      expect(broker.stats.exchange('/', 'no-such-exchange')).toBeUndefined();
    });
  });
});

describe('queue counters', () => {
  it('counts basic.get with and without ack, get-empty, acks, and redeliveries after a nack with requeue', async () => {
    await withBroker(async (broker) => {
      const { conn, ch } = await open(broker);
      await ch.assertQueue('jobs', { durable: false });
      for (let i = 0; i < 3; i++) ch.sendToQueue('jobs', body(`j${i}`));
      await ch.checkQueue('jobs');
      const first = await ch.get('jobs');
      if (first === false) throw new Error('empty');
      ch.nack(first, false, true); // back to the queue, redelivered next time
      const again = await ch.get('jobs');
      if (again === false) throw new Error('empty');
      expect(again.fields.redelivered).toBe(true);
      ch.ack(again);
      await ch.get('jobs', { noAck: true });
      await ch.get('jobs', { noAck: true });
      expect(await ch.get('jobs')).toBe(false);
      expect(await ch.get('jobs')).toBe(false);
      expect(queueStats(broker, 'jobs')).toMatchObject({
        publish: 3,
        get: 2,
        get_no_ack: 2,
        get_empty: 2,
        ack: 1,
        redeliver: 1,
        deliver: 0,
        deliver_no_ack: 0,
        deliver_get: 4,
      });
      await conn.close();
    });
  });

  it('counts deliveries to consumers with and without acks', async () => {
    await withBroker(async (broker) => {
      const { conn, ch } = await open(broker);
      await ch.assertQueue('acked', { durable: false });
      await ch.assertQueue('auto', { durable: false });
      for (let i = 0; i < 4; i++) ch.sendToQueue('acked', body(`a${i}`));
      for (let i = 0; i < 5; i++) ch.sendToQueue('auto', body(`n${i}`));
      const acked = await consumeN(ch, 'acked', 4);
      await consumeN(ch, 'auto', 5, { noAck: true });
      ch.ack(acked[3]!, true);
      await ch.checkQueue('acked'); // a round trip after the ack
      expect(queueStats(broker, 'acked')).toMatchObject({ deliver: 4, deliver_no_ack: 0, ack: 4, deliver_get: 4 });
      expect(queueStats(broker, 'auto')).toMatchObject({ deliver: 0, deliver_no_ack: 5, ack: 0, deliver_get: 5 });
      expect(broker.stats.totals()).toMatchObject({ publish: 9, deliver: 4, deliver_no_ack: 5, ack: 4, deliver_get: 9 });
      await conn.close();
    });
  });

  it('counts drops by reason: expired, maxlen, rejected, delivery_limit', async () => {
    await withBroker(async (broker) => {
      const { conn, ch } = await open(broker);
      await ch.assertQueue('ttl', { durable: false, arguments: { 'x-message-ttl': 20 } });
      await ch.assertQueue('short', { durable: false, arguments: { 'x-max-length': 2 } });
      await ch.assertQueue('picky', { durable: false, arguments: { 'x-delivery-limit': 1 } });
      for (let i = 0; i < 4; i++) ch.sendToQueue('ttl', body(`t${i}`));
      ch.sendToQueue('ttl', body('now'), { expiration: '0' }); // TTL 0, no consumer: expired at once
      for (let i = 0; i < 5; i++) ch.sendToQueue('short', body(`s${i}`));
      ch.sendToQueue('picky', body('p0'));
      ch.sendToQueue('picky', body('p1'));
      await ch.checkQueue('picky');

      const rejectMe = await ch.get('picky');
      if (rejectMe === false) throw new Error('empty');
      ch.nack(rejectMe, false, false); // dropped: rejected
      for (let i = 0; i < 2; i++) {
        const m = await ch.get('picky');
        if (m === false) throw new Error('empty');
        ch.nack(m, false, true); // the second return is over x-delivery-limit 1
      }
      expect(await ch.get('picky')).toBe(false);
      await eventually(() => queueStats(broker, 'ttl').drop_expired === 5, 5000, 'expired messages not counted');
      expect(queueStats(broker, 'ttl')).toMatchObject({ publish: 5, drop_maxlen: 0 });
      expect(queueStats(broker, 'short')).toMatchObject({ publish: 5, drop_maxlen: 3, drop_expired: 0 });
      expect(queueStats(broker, 'picky')).toMatchObject({ drop_rejected: 1, drop_delivery_limit: 1, redeliver: 1 });
      expect(broker.stats.totals()).toMatchObject({ drop_expired: 5, drop_maxlen: 3, drop_rejected: 1, drop_delivery_limit: 1 });

      // Deleting a queue does not take its counts out of the totals.
      await ch.deleteQueue('short');
      expect(broker.stats.queue('/', 'short')).toBeUndefined();
      expect(broker.stats.totals()).toMatchObject({ drop_maxlen: 3 });
      await conn.close();
    });
  });
});

describe('queue counters of a paged queue', () => {
  it('count drops in the tail that waits on disk, without a dead-letter exchange', async () => {
    // Past 20,000 ready messages a queue pages its tail out (queue-paging.ts). The first 20,000 never
    // expire and keep the window full, so the 5,000 behind them expire where they sit, on disk.
    const inMemory = 20_000;
    const paged = 5_000;
    await withBroker(async (broker) => {
      const { conn, ch } = await open(broker);
      await ch.assertQueue('long', { durable: false });
      for (let i = 0; i < inMemory + paged; i++) {
        const options = i < inMemory ? {} : { expiration: '100' };
        if (!ch.sendToQueue('long', Buffer.alloc(100), options)) await new Promise((r) => ch.once('drain', r));
      }
      await ch.checkQueue('long');
      await eventually(() => queueStats(broker, 'long').drop_expired === paged, 20_000, 'paged expired messages not counted');
      expect(queueStats(broker, 'long').publish).toBe(inMemory + paged);
      expect((await ch.checkQueue('long')).messageCount).toBe(inMemory);
      await conn.close();
    });
  }, 30_000);
});

describe('rates', () => {
  it('are messages per second between two samples, RabbitMQ-style *_details.rate', async () => {
    // No automatic sampling: the test's two samples, 2 s apart on the sampler's clock, are the only ones.
    await withBroker(
      async (broker) => {
        const conn = await amqp.connect(broker.url);
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue('rated', { durable: false });
        broker.stats.sample(1_000);
        for (let i = 0; i < 10; i++) ch.sendToQueue('rated', body(`m${i}`));
        await ch.waitForConfirms();
        for (let i = 0; i < 4; i++) await ch.get('rated', { noAck: true });
        broker.stats.sample(3_000);
        const q = queueStats(broker, 'rated');
        expect(q.publish).toBe(10);
        expect(q.publish_details.rate).toBe(5);
        expect(q.get_no_ack_details.rate).toBe(2);
        expect(q.deliver_get_details.rate).toBe(2);
        expect(broker.stats.exchange('/', '')?.publish_in_details.rate).toBe(5);
        expect(broker.stats.connection(FIRST_CONNECTION)?.confirm_details.rate).toBe(5);
        expect(broker.stats.channel(FIRST_CONNECTION, 1)?.publish_details.rate).toBe(5);
        expect(broker.stats.totals().publish_details.rate).toBe(5);
        // Nothing happened in the next interval: rates fall to 0, counts stay.
        broker.stats.sample(4_000);
        expect(queueStats(broker, 'rated')).toMatchObject({ publish: 10, publish_details: { rate: 0 } });
        await conn.close();
      },
      { statisticsInterval: 0 },
    );
  });

  it('refuse a statisticsInterval that is not a number of milliseconds', async () => {
    await expect(startBroker({ port: 0, statisticsInterval: -5 })).rejects.toThrow(/statisticsInterval must be a number of milliseconds, 0 or more \(got -5\)/);
  });

  it('are sampled by the broker on its own every statisticsInterval', async () => {
    await withBroker(
      async (broker) => {
        const { conn, ch } = await open(broker);
        await ch.assertQueue('busy', { durable: false });
        let published = 0;
        // Publishes keep going until a sample has seen some: no assumption about when the sampler runs.
        await eventually(
          () => {
            ch.sendToQueue('busy', body(`m${published++}`));
            return queueStats(broker, 'busy').publish_details.rate > 0;
          },
          10_000,
          'the broker never sampled',
        );
        await conn.close();
      },
      { statisticsInterval: 250 },
    );
  });
});
