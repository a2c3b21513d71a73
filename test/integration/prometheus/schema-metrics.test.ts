/**
 * warren_exchange_schema_messages_total and warren_exchange_schema_dropped_total (issue 16): what x-schema
 * exchanges' checks found, summed on /metrics, per exchange on /metrics/per-object and in
 * /metrics/detailed?family=exchange_schema_metrics. Real HTTP, stock amqplib, promtool over each.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { promtoolCheck, scrape, value } from './support.js';

const SCHEMA = JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } });
const JSON_CT = { contentType: 'application/json' };

let broker: Broker;
let close: () => Promise<void>;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ prometheusPort: 0 }));
  base = `http://127.0.0.1:${broker.prometheusPort as number}`;
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  await ch.assertExchange('orders', 'fanout', { arguments: { 'x-schema': SCHEMA } });
  await ch.assertExchange('events', 'fanout', { arguments: { 'x-schema': SCHEMA } });
  await ch.assertExchange('plain', 'fanout');
  await ch.assertQueue('sink');
  await ch.bindQueue('sink', 'orders', '');
  const send = (x: string, body: string): Promise<void> =>
    new Promise<void>((resolve) => ch.publish(x, '', Buffer.from(body), JSON_CT, () => resolve())); // nack or ack, both settle
  for (let i = 0; i < 3; i++) await send('orders', '{"id":"a"}');
  await send('orders', '{"id":1}');
  await send('orders', '{not json');
  await send('orders', '{"id":"b"}');
  await send('plain', '{not json'); // no schema: not counted
  await ch.close();
  const plain = await conn.createChannel();
  plain.publish('events', '', Buffer.from('{"no":"id"}'), JSON_CT); // neither confirm nor mandatory: dropped
  plain.publish('events', '', Buffer.from('{"id":"c"}'), JSON_CT);
  await plain.close();
  await conn.close();
});
afterAll(async () => close());

describe('warren_exchange_schema_messages_total', () => {
  it('on /metrics: sums over exchanges by verdict, with no exchange label', async () => {
    const s = await scrape(base);
    expect(s.types.get('warren_exchange_schema_messages_total')).toBe('counter');
    expect(value(s, 'warren_exchange_schema_messages_total', { verdict: 'valid' })).toBe(5);
    expect(value(s, 'warren_exchange_schema_messages_total', { verdict: 'invalid' })).toBe(2);
    expect(value(s, 'warren_exchange_schema_messages_total', { verdict: 'unparseable' })).toBe(1);
    expect(value(s, 'warren_exchange_schema_dropped_total')).toBe(1);
    expect(s.samples.filter((x) => x.name.startsWith('warren_exchange_schema') && 'exchange' in x.labels)).toEqual([]);
    const { code, output } = await promtoolCheck(s.text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('on /metrics/per-object: one series per x-schema exchange and verdict', async () => {
    const s = await scrape(base, '/metrics/per-object');
    const at = (exchange: string, verdict: string): number => value(s, 'warren_exchange_schema_messages_total', { vhost: '/', exchange, verdict });
    expect([at('orders', 'valid'), at('orders', 'invalid'), at('orders', 'unparseable')]).toEqual([4, 1, 1]);
    expect([at('events', 'valid'), at('events', 'invalid'), at('events', 'unparseable')]).toEqual([1, 1, 0]);
    expect(value(s, 'warren_exchange_schema_dropped_total', { exchange: 'orders' })).toBe(0);
    expect(value(s, 'warren_exchange_schema_dropped_total', { exchange: 'events' })).toBe(1);
    expect(s.samples.some((x) => x.name.startsWith('warren_exchange_schema') && x.labels['exchange'] === 'plain')).toBe(false);
    const { code, output } = await promtoolCheck(s.text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('in /metrics/detailed only when family=exchange_schema_metrics is asked for, and limited by vhost=', async () => {
    const none = await scrape(base, '/metrics/detailed?family=exchange_metrics');
    expect(none.types.has('warren_exchange_schema_messages_total')).toBe(false);
    const s = await scrape(base, '/metrics/detailed?family=exchange_schema_metrics');
    expect(value(s, 'warren_exchange_schema_messages_total', { exchange: 'orders', verdict: 'unparseable' })).toBe(1);
    expect(value(s, 'warren_exchange_schema_messages_total', { exchange: 'events', verdict: 'invalid' })).toBe(1);
    const { code, output } = await promtoolCheck(s.text);
    expect(output).toBe('');
    expect(code).toBe(0);
    const other = await scrape(base, '/metrics/detailed?family=exchange_schema_metrics&vhost=other');
    expect(other.samples.filter((x) => x.name.startsWith('warren_exchange_schema'))).toEqual([]);
  });
});
