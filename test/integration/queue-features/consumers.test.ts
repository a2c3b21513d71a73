import amqp, { type ConsumeMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { body } from '../../helpers/amqp.js';

let broker: Broker;
let close: () => Promise<void>;
beforeAll(async () => ({ broker, close } = await openBroker({ consumerTimeout: 300 })));
afterAll(async () => close());

describe('single active consumer (x-single-active-consumer)', () => {
  it('delivers to the first consumer only; the next in registration order takes over when it goes', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true, arguments: { 'x-single-active-consumer': true } });
    const got: [string, string][] = [];
    const chans: amqp.Channel[] = [];
    for (const name of ['first', 'second', 'third']) {
      const c = await conn.createChannel();
      chans.push(c);
      await c.consume(queue, (m) => m && got.push([name, m.content.toString()]), { noAck: true });
    }
    for (let i = 0; i < 4; i++) ch.sendToQueue(queue, body(`a${i}`));
    await eventually(() => got.length === 4);
    expect(new Set(got.map(([who]) => who))).toEqual(new Set(['first']));
    await chans[0]!.close(); // the active consumer dies
    for (let i = 0; i < 2; i++) ch.sendToQueue(queue, body(`b${i}`));
    await eventually(() => got.length === 6);
    expect(got.slice(4).map(([who]) => who)).toEqual(['second', 'second']);
    await conn.close();
  });
});

describe('consumer priorities (x-priority on basic.consume)', () => {
  it('prefers the higher-priority consumer while it has credit, then falls back', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const high = await conn.createChannel();
    const low = await conn.createChannel();
    await high.prefetch(2);
    const got: [string, ConsumeMessage][] = [];
    await low.consume(queue, (m) => m && got.push(['low', m]), { noAck: true, arguments: { 'x-priority': 1 } });
    await high.consume(queue, (m) => m && got.push(['high', m]), { arguments: { 'x-priority': 10 } });
    for (let i = 0; i < 5; i++) ch.sendToQueue(queue, body(String(i)));
    await eventually(() => got.length === 5);
    expect(got.map(([who]) => who)).toEqual(['high', 'high', 'low', 'low', 'low']);
    await conn.close();
  });
});

describe('consumer timeout', () => {
  it('closes the channel with 406 when a delivery stays unacknowledged too long, and requeues it', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    const watcher = await conn.createChannel();
    watcher.sendToQueue(queue, body('held'));
    const closed = new Promise<Error & { code?: number }>((resolve) => ch.once('error', resolve));
    await ch.consume(queue, () => undefined); // never acks
    const err = await closed;
    expect(err.code).toBe(406);
    expect(err.message).toContain('delivery acknowledgement on channel');
    expect(err.message).toContain('timed out. Timeout value used: 300 ms');
    const back = await watcher.get(queue, { noAck: true });
    expect(back && back.fields.redelivered).toBe(true);
    await conn.close();
  });
});
