/**
 * A test broker with { management: true, prometheus: true }: the management API and /metrics on free
 * ports, so a test can assert on /api/queues and on metrics. Real HTTP (fetch) and stock amqplib.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../../../src/testing/index.js';

const GUEST = { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') };

let kit: TestBroker;
beforeAll(async () => {
  kit = await createTestBroker({ management: true, prometheus: true });
});
afterAll(async () => kit.close());

describe('createTestBroker({ management: true, prometheus: true })', () => {
  it('serves /api/queues and /metrics on their URLs, and they see a test vhost\'s queue', async () => {
    expect(kit.managementUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(kit.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { vhost, url } = await kit.isolate();
    const conn = await amqp.connect(url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders');
    for (let i = 0; i < 4; i++) ch.sendToQueue('orders', Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    const res = await fetch(`${kit.managementUrl as string}/api/queues/${encodeURIComponent(vhost)}`, { headers: GUEST });
    expect(res.status).toBe(200);
    const queues = (await res.json()) as { name: string; vhost: string; messages: number }[];
    expect(queues.map((q) => [q.vhost, q.name, q.messages])).toEqual([[vhost, 'orders', 4]]);
    const metrics = await (await fetch(`${kit.metricsUrl as string}/metrics/per-object`)).text();
    expect(metrics).toContain(`rabbitmq_queue_messages_ready{vhost="${vhost}",queue="orders"} 4`);
    await conn.close();
  });

  it('leaves both off by default', async () => {
    const plain = await createTestBroker();
    try {
      expect(plain.managementUrl).toBeUndefined();
      expect(plain.metricsUrl).toBeUndefined();
      expect(plain.broker.managementPort).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
