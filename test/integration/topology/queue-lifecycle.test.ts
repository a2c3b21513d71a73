/**
 * Exclusive and auto-delete queues: who may use them and when they go. Codes and texts are
 * RabbitMQ 3.10's for the same scenarios.
 */
import { describe, expect, it } from 'vitest';
import { channel, exchangeExists, lockedText, queueExists, refused, sharedBroker, until } from './support.js';

const { connect, connectClient } = sharedBroker();

describe('exclusive queues', () => {
  it.each([
    ['passive queue.declare', (c: import('amqplib').Channel, q: string) => c.checkQueue(q)],
    ['queue.declare exclusive', (c: import('amqplib').Channel, q: string) => c.assertQueue(q, { exclusive: true })],
    ['queue.declare shared', (c: import('amqplib').Channel, q: string) => c.assertQueue(q, { exclusive: false, durable: false })],
    ['basic.consume', (c: import('amqplib').Channel, q: string) => c.consume(q, () => undefined)],
    ['basic.get', (c: import('amqplib').Channel, q: string) => c.get(q)],
    ['queue.bind', (c: import('amqplib').Channel, q: string) => c.bindQueue(q, 'amq.direct', 'k')],
    ['queue.unbind of an existing binding', (c: import('amqplib').Channel, q: string) => c.unbindQueue(q, 'amq.direct', 'owned')],
    ['queue.purge', (c: import('amqplib').Channel, q: string) => c.purgeQueue(q)],
    ['queue.delete', (c: import('amqplib').Channel, q: string) => c.deleteQueue(q)],
  ])('refuse %s from another connection with 405', async (what, op) => {
    const owner = await connect();
    const ch = await channel(owner);
    // A client-chosen name (redeclaring a server-named amq.gen- queue by name is a 403 first),
    // short enough that the refusal text stays within a shortstr's 255 bytes.
    const { queue } = await ch.assertQueue(`q.lk.${what.replace(/\W+/g, '').slice(0, 12)}`, { exclusive: true });
    await ch.bindQueue(queue, 'amq.direct', 'owned');
    const other = await connect();
    const err = await refused(other, (c) => op(c, queue));
    expect(err).toMatchObject({ code: 405, text: lockedText(queue) });
    expect(await queueExists(owner, queue)).toBe(true);
  });

  it('let another connection unbind a binding that does not exist (nothing to refuse)', async () => {
    const owner = await connect();
    const { queue } = await (await channel(owner)).assertQueue('', { exclusive: true });
    const other = await channel(await connect());
    await other.unbindQueue(queue, 'amq.direct', 'never-bound');
  });

  it('reports a missing exchange before exclusivity on queue.bind', async () => {
    const owner = await connect();
    const { queue } = await (await channel(owner)).assertQueue('', { exclusive: true });
    const err = await refused(await connect(), (c) => c.bindQueue(queue, 'x.lock.missing', 'k'));
    expect(err).toMatchObject({ code: 404, text: "NOT_FOUND - no exchange 'x.lock.missing' in vhost '/'" });
  });

  it('are usable from every channel of the owning connection', async () => {
    const owner = await connect();
    const { queue } = await (await channel(owner)).assertQueue('', { exclusive: true });
    const second = await channel(owner);
    await second.bindQueue(queue, 'amq.direct', 'k');
    await second.purgeQueue(queue);
    expect((await second.checkQueue(queue)).queue).toBe(queue);
  });

  it('go when the owning connection closes, with their bindings', async () => {
    const owner = await connect();
    const ch = await channel(owner);
    await ch.assertQueue('q.excl.gone', { exclusive: true });
    await ch.assertExchange('x.excl.ad', 'fanout', { durable: false, autoDelete: true });
    await ch.bindQueue('q.excl.gone', 'x.excl.ad', '');
    const watcher = await connect();
    await owner.close();
    await until(async () => !(await queueExists(watcher, 'q.excl.gone')), 'exclusive queue still there after its connection closed');
    // The auto-delete exchange lost its only binding with the queue.
    expect(await exchangeExists(watcher, 'x.excl.ad')).toBe(false);
    // Another connection may now declare the name.
    await (await channel(watcher)).assertQueue('q.excl.gone', { exclusive: true });
  });
});

describe('auto-delete queues', () => {
  it('stay until they had a consumer, then go when the last consumer cancels', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.ad', { durable: false, autoDelete: true });
    expect(await queueExists(conn, 'q.ad')).toBe(true);
    const a = await ch.consume('q.ad', () => undefined);
    const b = await ch.consume('q.ad', () => undefined);
    await ch.cancel(a.consumerTag);
    expect((await ch.checkQueue('q.ad')).consumerCount).toBe(1);
    await ch.cancel(b.consumerTag);
    expect(await queueExists(conn, 'q.ad')).toBe(false);
  });

  it('go when the consuming channel closes', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.ad.close', { durable: false, autoDelete: true });
    await ch.consume('q.ad.close', () => undefined);
    await ch.close();
    expect(await queueExists(conn, 'q.ad.close')).toBe(false);
  });

  it('are not deleted by basic.get, which is not a consumer', async () => {
    const conn = await connect();
    const ch = await channel(conn);
    await ch.assertQueue('q.ad.get', { durable: false, autoDelete: true });
    ch.sendToQueue('q.ad.get', Buffer.from('x'));
    await ch.checkQueue('q.ad.get');
    expect(await ch.get('q.ad.get', { noAck: true })).not.toBe(false);
    expect(await queueExists(conn, 'q.ad.get')).toBe(true);
    await ch.deleteQueue('q.ad.get');
  });

  it('go when an @cloudamqp/amqp-client consumer cancels', async () => {
    const client = await connectClient();
    const ch = await client.channel();
    await ch.queueDeclare('q.ad.client', { durable: false, autoDelete: true, exclusive: false });
    const consumer = await ch.basicConsume('q.ad.client', { noAck: true }, () => undefined);
    await consumer.cancel();
    expect(await queueExists(await connect(), 'q.ad.client')).toBe(false);
  });
});
