import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';
import { refused } from '../topology/support.js';

/**
 * A vhost's default queue type, applied as RabbitMQ 4.x applies it (rabbit_amqqueue:augment_declare_args):
 * to declares without x-queue-type, quorum only for a durable, non-exclusive, non-auto-delete queue,
 * classic otherwise; the type is written into the queue's arguments, so a redeclare naming another
 * type is inequivalent. Warren's quorum queues are classic queues underneath (README, deviations).
 */
describe('default queue type of a vhost', () => {
  it('quorum: a durable declare without x-queue-type becomes quorum; exclusive, auto-delete and transient ones classic', async () => {
    await withBroker(
      async (broker) => {
        const url = `${broker.url}/qq`;
        const conn = await amqp.connect(url);
        const ch = await conn.createChannel();
        await ch.assertQueue('orders', { durable: true });
        await ch.assertQueue('mine', { exclusive: true });
        await ch.assertQueue('temp', { durable: false });
        await ch.assertQueue('auto', { durable: true, autoDelete: true });
        await ch.assertQueue('asked', { durable: true, arguments: { 'x-queue-type': 'classic' } });
        const type = (q: string): unknown => broker.readModel.queue('qq', q)?.arguments['x-queue-type'];
        expect(['orders', 'mine', 'temp', 'auto', 'asked'].map(type)).toEqual(['quorum', 'classic', 'classic', 'classic', 'classic']);
        // Redeclared the same way: the same default applies, so it is equivalent.
        await ch.assertQueue('orders', { durable: true });
        await ch.checkQueue('orders');
        // The default vhost keeps declares as they are.
        const plain = await amqp.connect(broker.url);
        await (await plain.createChannel()).assertQueue('orders', { durable: true });
        expect(broker.readModel.queue('/', 'orders')?.arguments).toEqual({});
        await plain.close();
        // Naming classic for the quorum queue is RabbitMQ's 406 inequivalent arg.
        expect(await refused(conn, (c) => c.assertQueue('orders', { durable: true, arguments: { 'x-queue-type': 'classic' } }))).toMatchObject({
          code: 406,
          text: "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'orders' in vhost 'qq': received 'classic' but current is 'quorum'",
        });
        await conn.close();
      },
      { vhosts: ['/', 'qq'], vhostSettings: [{ name: 'qq', defaultQueueType: 'quorum' }] },
    );
  });

  it('a changed default applies to the next declare, and not to queues declared before', async () => {
    await withBroker(async (broker) => {
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      await ch.assertQueue('before', { durable: true });
      await broker.updateVhost('/', { defaultQueueType: 'quorum' });
      await ch.assertQueue('after', { durable: true });
      expect(broker.readModel.queue('/', 'before')?.arguments['x-queue-type']).toBeUndefined();
      expect(broker.readModel.queue('/', 'after')?.arguments['x-queue-type']).toBe('quorum');
      await conn.close();
    });
  });
});
