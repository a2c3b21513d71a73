import { AMQPClient } from '@cloudamqp/amqp-client';
import amqp from 'amqplib';
import { Connection as RabbitConnection } from 'rabbitmq-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';

/**
 * Three stock clients from npm, each with a 1 s heartbeat: 100 channels, a few intervals of idleness,
 * a round trip, a clean close. Each client drops a connection it does not hear from (amqp-client after
 * one silent interval, amqplib and rabbitmq-client after two) and Warren drops a client it does not hear
 * from after two, so surviving the idle time proves heartbeats flow both ways.
 */

const CHANNELS = 100;
/** Three and a half heartbeat intervals. */
const IDLE_MS = 3500;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let broker: Broker;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ heartbeat: 60 }));
});

afterAll(async () => {
  await close();
});

function withHeartbeat(url: string): string {
  return `${url}?heartbeat=1`;
}

async function amqplibRun(): Promise<string> {
  const conn = await amqp.connect(withHeartbeat(broker.url));
  const errors: Error[] = [];
  conn.on('error', (err: Error) => errors.push(err));
  let closedWith: unknown = 'open';
  conn.on('close', (err?: Error) => (closedWith = err));
  const channels = await Promise.all(Array.from({ length: CHANNELS }, () => conn.createChannel()));
  await sleep(IDLE_MS);
  expect(errors).toEqual([]);
  expect(closedWith).toBe('open');
  const ch = channels[CHANNELS - 1]!;
  const { queue } = await ch.assertQueue('', { exclusive: true });
  ch.sendToQueue(queue, Buffer.from('amqplib after idling'));
  let got: false | amqp.GetMessage = false;
  for (let i = 0; i < 100 && got === false; i++) {
    got = await ch.get(queue, { noAck: true });
    if (got === false) await sleep(10);
  }
  expect(got === false ? undefined : got.content.toString()).toBe('amqplib after idling');
  await conn.close();
  expect(closedWith).toBeUndefined(); // 'close' without an error: a clean close
  return 'amqplib';
}

async function amqpClientRun(): Promise<string> {
  const client = new AMQPClient(withHeartbeat(broker.url));
  const errors: Error[] = [];
  client.onerror = (err) => errors.push(err);
  const conn = await client.connect();
  const channels = await Promise.all(Array.from({ length: CHANNELS }, () => conn.channel()));
  expect(new Set(channels.map((c) => c.id)).size).toBe(CHANNELS);
  await sleep(IDLE_MS);
  expect(errors).toEqual([]);
  expect(conn.closed).toBe(false);
  const ch = channels[CHANNELS - 1]!;
  const { name: queue } = await ch.queueDeclare('', { exclusive: true });
  await ch.basicPublish('', queue, 'amqp-client after idling');
  let body: string | null | undefined;
  for (let i = 0; i < 100 && body === undefined; i++) {
    const msg = await ch.basicGet(queue, { noAck: true });
    if (msg === null) await sleep(10);
    else body = msg.bodyToString();
  }
  expect(body).toBe('amqp-client after idling');
  await conn.close();
  expect(conn.closed).toBe(true);
  expect(errors).toEqual([]);
  return '@cloudamqp/amqp-client';
}

async function rabbitmqClientRun(): Promise<string> {
  // No reconnects: a dropped connection must fail the test, not be repaired behind its back.
  const rabbit = new RabbitConnection({ url: broker.url, heartbeat: 1, retryLow: 60_000, retryHigh: 60_000 });
  const errors: Error[] = [];
  rabbit.on('error', (err) => errors.push(err));
  await rabbit.onConnect(5000);
  const channels = await Promise.all(Array.from({ length: CHANNELS }, () => rabbit.acquire()));
  expect(new Set(channels.map((c) => c.id)).size).toBe(CHANNELS);
  await sleep(IDLE_MS);
  expect(errors).toEqual([]);
  expect(rabbit.ready).toBe(true);
  expect(channels.every((c) => c.active)).toBe(true);
  const ch = channels[CHANNELS - 1]!;
  const { queue } = await ch.queueDeclare({ exclusive: true });
  await ch.basicPublish({ routingKey: queue }, 'rabbitmq-client after idling');
  let body: unknown;
  for (let i = 0; i < 100 && body === undefined; i++) {
    const msg = await ch.basicGet({ queue, noAck: true });
    if (msg === undefined) await sleep(10);
    else body = msg.body;
  }
  expect(body).toBe('rabbitmq-client after idling');
  await Promise.all(channels.map((c) => c.close()));
  await rabbit.close();
  expect(errors).toEqual([]);
  return 'rabbitmq-client';
}

describe('stock clients with a 1 s heartbeat', () => {
  it('amqplib, @cloudamqp/amqp-client and rabbitmq-client each open 100 channels, idle through heartbeats and close cleanly', async () => {
    // Concurrently: the idle time is the slow part and the three do not interfere.
    const done = await Promise.all([amqplibRun(), amqpClientRun(), rabbitmqClientRun()]);
    expect(done).toEqual(['amqplib', '@cloudamqp/amqp-client', 'rabbitmq-client']);
    await eventually(() => broker.connectionCount() === 0, 5000, 'connections still open after a clean close');
  });

});
