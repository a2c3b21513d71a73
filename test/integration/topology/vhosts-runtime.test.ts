import amqp from 'amqplib';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restartableBroker } from '../../helpers/restartable-broker.js';
import { type Broker } from '../../../src/index.js';
import { queueDir } from '../../../src/persistence.js';
import { HandshakeRefused, RawClient } from '../../helpers/raw-client.js';

const { restart, dataDir } = restartableBroker('warren-vhosts-', {});

const vhostUrl = (b: Broker, vhost: string): string => `${b.url}/${encodeURIComponent(vhost)}`;

/** connection.open's answer for a vhost: 'open', or the refusal's code and text. */
async function openVhost(b: Broker, vhost: string): Promise<string> {
  try {
    const raw = await RawClient.open(b.port, { vhost });
    await raw.close();
    return 'open';
  } catch (err) {
    if (err instanceof HandshakeRefused && err.close !== undefined) return `${err.close.replyCode} ${err.close.replyText}`;
    throw err;
  }
}

describe('vhosts created and deleted at runtime', () => {
  it('a created vhost serves AMQP clients and is still there, with its durable queues and messages, after a restart', async () => {
    let b = await restart();
    expect(await b.createVhost('tenant-a')).toBe(true);
    expect(await b.createVhost('tenant-a')).toBe(false);
    // As rabbitmqctl add_vhost: nobody may use a new vhost until given permissions there.
    expect(await openVhost(b, 'tenant-a')).toBe("530 NOT_ALLOWED - access to vhost 'tenant-a' refused for user 'guest'");
    await b.permissions.set({ user: 'guest', vhost: 'tenant-a', configure: '.*', write: '.*', read: '.*' });
    const conn = await amqp.connect(vhostUrl(b, 'tenant-a'));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders', { durable: true });
    await ch.assertExchange('events', 'topic', { durable: true });
    await ch.bindQueue('orders', 'events', 'order.*');
    ch.publish('events', 'order.new', Buffer.from('first'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    // The same names in another vhost are other queues.
    expect(await openVhost(b, '/')).toBe('open');

    b = await restart();
    const again = await amqp.connect(vhostUrl(b, 'tenant-a'));
    const ch2 = await again.createChannel();
    expect((await ch2.checkQueue('orders')).messageCount).toBe(1);
    ch2.publish('events', 'order.paid', Buffer.from('second'));
    const first = await ch2.get('orders', { noAck: true });
    expect(first && first.content.toString()).toBe('first');
    const second = await ch2.get('orders', { noAck: true });
    expect(second && second.content.toString()).toBe('second');
    await again.close();
  });

  it('deleting a vhost closes its connections with 320 as RabbitMQ does, removes its queues and their stored messages, and is durable', async () => {
    let b = await restart();
    await b.createVhost('tenant-b');
    await b.permissions.set({ user: 'guest', vhost: 'tenant-b', configure: '.*', write: '.*', read: '.*' });
    const setup = await amqp.connect(vhostUrl(b, 'tenant-b'));
    const ch = await setup.createConfirmChannel();
    await ch.assertQueue('kept-messages', { durable: true });
    for (let i = 0; i < 10; i++) ch.sendToQueue('kept-messages', Buffer.from(`m${i}`), { persistent: true });
    await ch.waitForConfirms();
    await setup.close();
    const dir = queueDir(dataDir(), 'tenant-b', 'kept-messages');
    expect(existsSync(dir)).toBe(true);

    const inTenant = await RawClient.open(b.port, { vhost: 'tenant-b' });
    await inTenant.openChannel(1);
    const inDefault = await amqp.connect(b.url);
    const defaultCh = await inDefault.createChannel();
    expect(await b.deleteVhost('tenant-b')).toBe(true);
    const close = await inTenant.waitConnectionClose();
    expect(close.replyCode).toBe(320);
    expect(close.replyText).toBe("CONNECTION_FORCED - vhost 'tenant-b' is deleted");
    inTenant.sendMethod(0, { name: 'connection.close-ok' });
    await inTenant.waitSocketClose();
    // Other vhosts' clients are not touched.
    await defaultCh.assertQueue('still-served');
    await inDefault.close();
    expect(existsSync(dir)).toBe(false);
    expect(await openVhost(b, 'tenant-b')).toBe("530 NOT_ALLOWED - vhost tenant-b not found");
    expect(await b.deleteVhost('tenant-b')).toBe(false);

    b = await restart();
    expect(await openVhost(b, 'tenant-b')).toBe("530 NOT_ALLOWED - vhost tenant-b not found");
    // Made again, it starts empty: nothing of the deleted one comes back, its permissions neither.
    await b.createVhost('tenant-b');
    expect(b.permissions.list({ vhost: 'tenant-b' })).toEqual([]);
    await b.permissions.set({ user: 'guest', vhost: 'tenant-b', configure: '.*', write: '.*', read: '.*' });
    const fresh = await amqp.connect(vhostUrl(b, 'tenant-b'));
    const freshCh = await fresh.createChannel();
    fresh.on('error', () => undefined);
    await expect(freshCh.checkQueue('kept-messages')).rejects.toThrow(/404/);
    await fresh.close().catch(() => undefined);
    b = await restart();
    expect(await openVhost(b, 'tenant-b')).toBe('open');
  });

  it('configured vhosts seed a new data directory only: one deleted at runtime stays deleted across restarts', async () => {
    let b = await restart({ vhosts: ['/', 'from-config'] });
    expect(await openVhost(b, 'from-config')).toBe('open');
    expect(await b.deleteVhost('from-config')).toBe(true);
    b = await restart({ vhosts: ['/', 'from-config'] });
    expect(await openVhost(b, 'from-config')).toBe("530 NOT_ALLOWED - vhost from-config not found");
    expect(await openVhost(b, '/')).toBe('open');
  });

  it('refuses a name connection.open cannot carry', async () => {
    const b = await restart();
    await expect(b.createVhost('')).rejects.toThrow(RangeError);
    await expect(b.createVhost('x'.repeat(256))).rejects.toThrow(/1 to 255 bytes/);
    expect(await b.createVhost('é'.repeat(127))).toBe(true); // 254 bytes
  });
});
