// warren/testing with jest (ESM): `node --experimental-vm-modules node_modules/jest/bin/jest.js --config examples/testing/jest.config.mjs`
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import amqp from 'amqplib';
import { createTestBroker } from 'warren/testing';

let broker;
beforeAll(async () => {
  broker = await createTestBroker();
});
afterAll(() => broker.close());

test('an order is dead-lettered when its hour is up', async () => {
  const { vhost, url } = await broker.isolate();
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('expired-orders');
  await ch.assertQueue('orders', {
    arguments: { 'x-message-ttl': 3_600_000, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'expired-orders' },
  });
  ch.sendToQueue('orders', Buffer.from(JSON.stringify({ id: 7 })), { contentType: 'application/json' });
  await ch.waitForConfirms();

  broker.clock.advance('1h'); // the TTL fires now, not in an hour
  await broker.waitFor('expired-orders', 1, { vhost });
  const [order] = await broker.peek('expired-orders', { vhost });
  expect(order.json()).toEqual({ id: 7 });
  await conn.close();
});
