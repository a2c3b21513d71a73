import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { body } from '../../helpers/amqp.js';

describe('read model snapshots carry message_stats', () => {
  it('queue, exchange, connection and channel snapshots show the counters of what the client did', async () => {
    await withBroker(async (broker) => {
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange('orders', 'fanout', { durable: false });
      await ch.assertQueue('orders-a', { durable: false });
      await ch.bindQueue('orders-a', 'orders', '');
      for (let i = 0; i < 5; i++) ch.publish('orders', '', body(`m${i}`));
      await ch.waitForConfirms();
      expect(await ch.get('orders-a', { noAck: true })).not.toBe(false);

      const rm = broker.readModel;
      expect(rm.queue('/', 'orders-a')?.messageStats).toMatchObject({ publish: 5, get_no_ack: 1 });
      expect(rm.exchange('/', 'orders')?.messageStats).toMatchObject({ publish_in: 5, publish_out: 5 });
      const [c] = rm.connections();
      expect(c?.messageStats).toMatchObject({ publish: 5, confirm: 5 });
      const [chan] = rm.channels();
      expect(chan?.messageStats).toMatchObject({ publish: 5, confirm: 5 });
      await conn.close();
    });
  });
});
