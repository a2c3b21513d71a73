import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { body, consumeN } from '../../helpers/amqp.js';

/**
 * Broker totals (RabbitMQ's /api/overview message_stats) are cumulative: deleting a vhost, with
 * its queues and its connections, takes nothing out of them.
 */
describe('totals after a vhost is deleted', () => {
  it('keep what its queues and connections counted', async () => {
    await withBroker(async (broker) => {
      expect(await broker.createVhost('tenant')).toBe(true);
      await broker.permissions.set({ user: 'guest', vhost: 'tenant', configure: '.*', write: '.*', read: '.*' });
      const conn = await amqp.connect(`${broker.url}/tenant`);
      conn.on('error', () => undefined); // the deletion closes it with 320
      const ch = await conn.createChannel();
      await ch.assertQueue('work', { durable: false });
      await ch.assertQueue('kept', { durable: true });
      for (let i = 0; i < 5; i++) ch.sendToQueue('work', body(`w${i}`));
      ch.sendToQueue('kept', body('k'), { persistent: true });
      const got = await consumeN(ch, 'work', 3);
      ch.ack(got[2]!, true);
      await ch.checkQueue('work'); // a round trip after the ack
      const expected = { publish: 6, deliver: 5, ack: 3, deliver_get: 5 }; // all five delivered (no prefetch), three acked
      expect(broker.stats.totals()).toMatchObject(expected);

      expect(await broker.deleteVhost('tenant')).toBe(true);
      expect(broker.stats.queue('tenant', 'work')).toBeUndefined();
      expect(broker.stats.totals()).toMatchObject(expected);
    });
  });
});
