import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { channelError } from '../../helpers/amqp.js';
import { openBroker } from '../../helpers/broker.js';

/*
 * x-schema-by-key: per routing-key pattern ('*' one word, '#' zero or more), a different schema;
 * the first pattern that matches, in the order given, wins; x-schema is the fallback, and without
 * it a key no pattern matches passes unchecked. Stock amqplib; mandatory publishes show the verdict
 * (406 refused by the schema, 312 passed it and found no queue).
 */

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
let n = 0;

const needs = (field: string, type: string): Record<string, unknown> => ({ type: 'object', required: [field], properties: { [field]: { type } } });

beforeAll(async () => {
  ({ broker, close } = await openBroker());
  conn = await amqp.connect(broker.url);
  ch = await conn.createChannel();
});
afterAll(async () => {
  await conn.close();
  await close();
});

async function verdict(exchange: string, routingKey: string, content: unknown): Promise<number | undefined> {
  let code: number | undefined;
  const onReturn = (m: amqp.Message): void => {
    code = (m.fields as unknown as { replyCode: number }).replyCode;
  };
  ch.on('return', onReturn);
  ch.publish(exchange, routingKey, Buffer.from(JSON.stringify(content)), { mandatory: true, contentType: 'application/json' });
  await ch.checkExchange(exchange);
  ch.off('return', onReturn);
  return code;
}

describe('x-schema-by-key', () => {
  it('picks the first matching pattern in order, else x-schema', async () => {
    const byKey = { 'order.created': needs('id', 'string'), 'order.*': needs('total', 'number'), 'audit.#': true };
    await ch.assertExchange('events', 'topic', { arguments: { 'x-schema': JSON.stringify(needs('kind', 'string')), 'x-schema-by-key': JSON.stringify(byKey) } });
    expect(await verdict('events', 'order.created', { id: 'a' })).toBe(312);
    expect(await verdict('events', 'order.created', { total: 1 })).toBe(406); // the first match, not order.*
    expect(await verdict('events', 'order.paid', { total: 1 })).toBe(312);
    expect(await verdict('events', 'order.paid', { id: 'a' })).toBe(406);
    expect(await verdict('events', 'order.paid.late', { total: 1 })).toBe(406); // '*' is one word: the fallback
    expect(await verdict('events', 'audit', { anything: 1 })).toBe(312); // '#' matches zero words
    expect(await verdict('events', 'audit.a.b', 'not even an object')).toBe(312);
    expect(await verdict('events', 'user.signup', { kind: 'x' })).toBe(312);
    expect(await verdict('events', 'user.signup', { id: 'a' })).toBe(406);
  });

  it('without x-schema, a key no pattern matches passes unchecked; a field table of patterns works too', async () => {
    await ch.assertExchange('only-keys', 'topic', { arguments: { 'x-schema-by-key': { 'pay.#': JSON.stringify(needs('amount', 'number')) } } });
    expect(await verdict('only-keys', 'pay.card', { amount: 'ten' })).toBe(406);
    expect(await verdict('only-keys', 'pay.card', { amount: 10 })).toBe(312);
    expect(await verdict('only-keys', 'other', { amount: 'ten' })).toBe(312);
  });

  it('refuses a bad x-schema-by-key at exchange.declare with 406 and a clear text', async () => {
    const refused = async (value: unknown): Promise<string> => {
      const c = await conn.createChannel();
      const closed = channelError(c);
      await expect(c.assertExchange(`bad-${++n}`, 'topic', { arguments: { 'x-schema-by-key': value } })).rejects.toThrow();
      const err = await closed;
      expect(err.code).toBe(406);
      return err.message;
    };
    expect(await refused('[1]')).toMatch(/invalid arg 'x-schema-by-key' for exchange 'bad-\d+' in vhost '\/': must be a JSON object of routing-key patterns/);
    expect(await refused('{"a.*": ')).toMatch(/invalid arg 'x-schema-by-key' .*JSON/);
    expect(await refused('{}')).toMatch(/it is empty/);
    expect(await refused(JSON.stringify({ 'a.*': 5 }))).toMatch(/the value for 'a.\*' is neither/);
    expect(await refused(JSON.stringify({ 'a.*': { type: 'nope' } }))).toMatch(/invalid arg 'x-schema-by-key' pattern 'a.\*' .*data\/type must be equal to one of the allowed values/);
    expect(await refused(JSON.stringify({ 'a.*': 'unregistered' }))).toMatch(/pattern 'a.\*' .*no schema 'unregistered' is registered in vhost '\/'/);
    expect(await refused(7)).toMatch(/must be a JSON object of routing-key patterns/);
  });
});
