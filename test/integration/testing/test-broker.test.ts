import { existsSync } from 'node:fs';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../../../src/testing/index.js';

/** warren/testing as a suite uses it: a stock client against the kit's broker, the kit's helpers to look. */
let kit: TestBroker;
beforeAll(async () => {
  kit = await createTestBroker();
});
afterAll(async () => kit.close());

type CloseError = Error & { code?: number };

async function channelOn(url: string): Promise<{ conn: amqp.ChannelModel; ch: amqp.ConfirmChannel }> {
  const conn = await amqp.connect(url);
  conn.on('error', () => undefined);
  return { conn, ch: await conn.createConfirmChannel() };
}

describe('createTestBroker', () => {
  it('waitFor and peek see published messages without consuming them; published and messages record them', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn, ch } = await channelOn(url);
    await ch.assertQueue('orders');
    for (const id of [1, 2, 3]) ch.sendToQueue('orders', Buffer.from(JSON.stringify({ id })), { contentType: 'application/json' });
    await ch.waitForConfirms();
    const snapshot = await kit.waitFor('orders', 3, { vhost, timeout: '2s' });
    expect(snapshot.messagesReady).toBe(3);
    const peeked = await kit.peek('orders', { vhost });
    expect(peeked.map((m) => m.json())).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(peeked[0]?.properties.contentType).toBe('application/json');
    expect(kit.broker.readModel.queue(vhost, 'orders')?.messagesReady).toBe(3); // nothing consumed
    expect(kit.published('', { vhost }).map((m) => [m.routingKey, m.text()])).toEqual([
      ['orders', '{"id":1}'],
      ['orders', '{"id":2}'],
      ['orders', '{"id":3}'],
    ]);
    const got: string[] = [];
    await ch.consume('orders', (m) => m && got.push(m.content.toString()), { noAck: true });
    await expect.poll(() => got.length).toBe(3);
    expect(kit.messages('orders', { vhost }).map((m) => m.json())).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    await conn.close();
  });

  it('waitFor rejects after its timeout, saying what the queue holds', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn, ch } = await channelOn(url);
    await ch.assertQueue('few');
    ch.sendToQueue('few', Buffer.from('x'));
    await ch.waitForConfirms();
    await expect(kit.waitFor('few', 2, { vhost, timeout: 50 })).rejects.toThrow(/queue 'few' in vhost '.*' holds 1, not 2/);
    await expect(kit.waitFor('none', 1, { vhost, timeout: 20 })).rejects.toThrow(/does not exist/);
    await conn.close();
  });

  it('isolate() gives each test a vhost where the queues of others are not seen', async () => {
    const a = await kit.isolate();
    const b = await kit.isolate();
    expect(a.vhost).not.toBe(b.vhost);
    const ca = await channelOn(a.url);
    await ca.ch.assertQueue('shared-name');
    const cb = await channelOn(b.url);
    const err = await cb.ch.checkQueue('shared-name').catch((e: CloseError) => e);
    expect((err as CloseError).code).toBe(404);
    await ca.conn.close();
    await cb.conn.close().catch(() => undefined); // amqplib ends the connection after the channel's 404
  });

  it('clock.advance fires message TTL at once: the message is dead-lettered without waiting', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn, ch } = await channelOn(url);
    await ch.assertQueue('dead');
    await ch.assertQueue('slow', { arguments: { 'x-message-ttl': 3_600_000, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' } });
    ch.sendToQueue('slow', Buffer.from('late'));
    await ch.waitForConfirms();
    kit.clock.advance('59m');
    expect(kit.broker.readModel.queue(vhost, 'dead')?.messages).toBe(0);
    kit.clock.advance('1m');
    expect(kit.broker.readModel.queue(vhost, 'slow')?.messages).toBe(0);
    expect(kit.broker.readModel.queue(vhost, 'dead')?.messages).toBe(1);
    const [dead] = await kit.peek('dead', { vhost });
    expect(dead?.text()).toBe('late');
    expect(JSON.stringify(dead?.properties.headers?.['x-death'])).toContain('expired');
    expect(() => kit.clock.advance('soon')).toThrow(RangeError);
    await conn.close();
  });

  it('closeConnections closes clients with 320 and the reason', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn } = await channelOn(url);
    const closed = new Promise<CloseError>((resolve) => conn.once('close', resolve));
    expect(kit.closeConnections({ vhost, reason: 'failover drill' })).toBe(1);
    const err = await closed;
    expect(err.code).toBe(320);
    expect(err.message).toContain('failover drill');
  });

  it('restart() keeps durable queues and persistent messages on the same URL', async () => {
    const { vhost, url } = await kit.isolate();
    const before = await channelOn(url);
    await before.ch.assertQueue('kept', { durable: true });
    before.ch.sendToQueue('kept', Buffer.from('survivor'), { persistent: true });
    await before.ch.waitForConfirms();
    const port = kit.port;
    await kit.restart();
    expect(kit.port).toBe(port);
    const after = await channelOn(url);
    expect(kit.broker.readModel.vhostNames()).toContain(vhost); // the isolated vhost is durable too
    const m = await after.ch.get('kept', { noAck: true });
    expect(m && m.content.toString()).toBe('survivor');
    await after.conn.close();
  });

  it('reset() removes what tests made and what was recorded', async () => {
    const { conn, ch } = await channelOn(kit.url);
    await ch.assertQueue('in-default-vhost');
    ch.sendToQueue('in-default-vhost', Buffer.from('x'));
    await ch.waitForConfirms();
    await conn.close();
    const { vhost } = await kit.isolate();
    expect(kit.published('', {})).toHaveLength(1);
    await kit.reset();
    expect(kit.broker.readModel.queue('/', 'in-default-vhost')).toBeUndefined();
    expect(kit.broker.readModel.vhostNames()).not.toContain(vhost);
    expect(kit.published('', {})).toEqual([]);
  });
});

describe('two test brokers in one process', () => {
  it('record only their own clients, and close removes the data directory', async () => {
    const other = await createTestBroker();
    const dir = other.broker.config.dataDir;
    const { conn, ch } = await channelOn(other.url);
    await ch.assertQueue('mine');
    ch.sendToQueue('mine', Buffer.from('other broker'));
    await ch.waitForConfirms();
    await conn.close();
    expect(other.published('').map((m) => m.text())).toEqual(['other broker']);
    expect(kit.published('').map((m) => m.text())).not.toContain('other broker');
    expect(existsSync(dir)).toBe(true);
    await other.close();
    expect(existsSync(dir)).toBe(false);
  });
});

describe('recordLimit', () => {
  it('keeps the latest messages per name', async () => {
    const small = await createTestBroker({ recordLimit: 3 });
    const { conn, ch } = await channelOn(small.url);
    await ch.assertQueue('q');
    for (let i = 1; i <= 7; i++) ch.sendToQueue('q', Buffer.from(String(i)));
    await ch.waitForConfirms();
    await conn.close();
    expect(small.published('').map((m) => m.text())).toEqual(['5', '6', '7']);
    await small.close();
  });
});
