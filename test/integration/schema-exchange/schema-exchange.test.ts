import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { channelError } from '../../helpers/amqp.js';

/*
 * Schema-checked exchanges (issue 16, a Warren extension): an exchange declared with x-schema checks
 * every application/json message before routing. Stock amqplib against a real broker; the counters
 * are read through the management API's exchange JSON (schema_stats).
 */

const ORDER_SCHEMA = JSON.stringify({
  type: 'object',
  required: ['id', 'amount'],
  properties: { id: { type: 'string' }, amount: { type: 'number' } },
});
const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
let n = 0;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  conn = await amqp.connect(broker.url);
  ch = await conn.createChannel();
});
afterAll(async () => {
  await conn.close();
  await close();
});

/** A fresh fanout exchange with the schema (and extra arguments), bound to a fresh queue. */
async function schemaExchange(args: Record<string, unknown> = {}): Promise<{ exchange: string; queue: string }> {
  n++;
  const exchange = `orders-${n}`;
  await ch.assertExchange(exchange, 'fanout', { autoDelete: false, arguments: { 'x-schema': ORDER_SCHEMA, ...args } });
  const { queue } = await ch.assertQueue(`orders-q-${n}`, { exclusive: true });
  await ch.bindQueue(queue, exchange, '');
  return { exchange, queue };
}

async function depth(queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount;
}

/** Publishes mandatory and resolves with the basic.return it gets, or undefined when routed. */
interface Returned {
  readonly replyCode: number;
  readonly replyText: string;
  readonly content: Buffer;
}

async function publishMandatory(exchange: string, content: Buffer, contentType = 'application/json'): Promise<Returned | undefined> {
  let returned: Returned | undefined;
  const onReturn = (m: amqp.Message): void => {
    const fields = m.fields as unknown as { replyCode: number; replyText: string };
    returned = { replyCode: fields.replyCode, replyText: fields.replyText, content: m.content };
  };
  ch.on('return', onReturn);
  ch.publish(exchange, 'rk', content, { mandatory: true, contentType });
  await ch.checkExchange(exchange); // a round trip: the return, if any, came before its reply
  ch.off('return', onReturn);
  return returned;
}

async function schemaStats(exchange: string): Promise<Record<string, number>> {
  const res = await broker.managementApp!.inject({ method: 'GET', url: `/api/exchanges/%2F/${exchange}`, headers: { authorization: GUEST } });
  expect(res.statusCode).toBe(200);
  return (JSON.parse(res.body) as { schema_stats: Record<string, number> }).schema_stats;
}

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

describe('schema-checked exchanges', () => {
  it('routes a valid message and counts it', async () => {
    const { exchange, queue } = await schemaExchange();
    expect(await publishMandatory(exchange, json({ id: 'a1', amount: 3 }))).toBeUndefined();
    expect(await depth(queue)).toBe(1);
    expect(await schemaStats(exchange)).toEqual({ valid: 1, invalid: 0, unparseable: 0, dropped: 0 });
  });

  it('nacks an invalid message in confirm mode and routes nothing', async () => {
    const { exchange, queue } = await schemaExchange();
    const cc = await conn.createConfirmChannel();
    const outcome = (content: Buffer): Promise<'ack' | 'nack'> =>
      new Promise((resolve) => cc.publish(exchange, '', content, { contentType: 'application/json' }, (err) => resolve(err ? 'nack' : 'ack')));
    expect(await outcome(json({ id: 'a1', amount: 'three' }))).toBe('nack');
    expect(await outcome(json({ id: 'a2', amount: 2 }))).toBe('ack');
    await cc.close();
    expect(await depth(queue)).toBe(1);
    expect((await schemaStats(exchange))['invalid']).toBe(1);
  });

  it('returns an invalid mandatory message with 406 and the first error', async () => {
    const { exchange, queue } = await schemaExchange();
    const r = await publishMandatory(exchange, json({ id: 'a1', amount: 'three' }));
    expect(r?.replyCode).toBe(406);
    expect(r?.replyText).toBe('PRECONDITION_FAILED - schema: /amount must be number (type)');
    expect(r?.content.toString()).toBe('{"id":"a1","amount":"three"}');
    const missing = await publishMandatory(exchange, json({ id: 'a1' }));
    expect(missing?.replyText).toBe("PRECONDITION_FAILED - schema: / must have required property 'amount' (required)");
    expect(await depth(queue)).toBe(0);
  });

  it('cuts a long reply text at the shortstr limit of 255 bytes', async () => {
    const key = 'ü'.repeat(200); // 400 bytes of property name in the instancePath
    const schema = JSON.stringify({ type: 'object', properties: { [key]: { type: 'number' } } });
    await ch.assertExchange('long-path', 'fanout', { arguments: { 'x-schema': schema } });
    const r = await publishMandatory('long-path', json({ [key]: 'x' }));
    expect(r?.replyCode).toBe(406);
    expect(Buffer.byteLength(r?.replyText ?? 'x'.repeat(300))).toBeLessThanOrEqual(255);
    expect(r?.replyText.startsWith('PRECONDITION_FAILED - schema: /üü')).toBe(true);
  });

  it('sends an invalid message to x-invalid-exchange with the reason in its headers, else drops and counts it', async () => {
    await ch.assertExchange('orders-invalid', 'fanout', { autoDelete: false });
    const { queue: dead } = await ch.assertQueue('orders-invalid-q', { exclusive: true });
    await ch.bindQueue(dead, 'orders-invalid', '');
    const { exchange, queue } = await schemaExchange({ 'x-invalid-exchange': 'orders-invalid' });
    ch.publish(exchange, 'rk-1', json({ id: 7, amount: 1 }), { contentType: 'application/json', headers: { app: 'shop' } });
    await ch.checkExchange(exchange);
    expect(await depth(queue)).toBe(0);
    const m = await ch.get(dead, { noAck: true });
    if (m === false) throw new Error('nothing reached the invalid exchange');
    expect(m.fields.routingKey).toBe('rk-1');
    expect(m.content.toString()).toBe('{"id":7,"amount":1}');
    expect(m.properties.headers).toMatchObject({ app: 'shop', 'x-schema-error': 'schema: /id must be string (type)', 'x-schema-exchange': exchange });

    const plain = await schemaExchange();
    ch.publish(plain.exchange, '', json({ id: 7, amount: 1 }), { contentType: 'application/json' });
    expect(await depth(plain.queue)).toBe(0);
    expect(await schemaStats(plain.exchange)).toEqual({ valid: 0, invalid: 1, unparseable: 0, dropped: 1 });
  });

  it('treats a body that is not JSON as unparseable', async () => {
    const { exchange, queue } = await schemaExchange();
    const r = await publishMandatory(exchange, Buffer.from('{"id": "a1", "amount": '));
    expect(r?.replyCode).toBe(406);
    expect(r?.replyText).toBe('PRECONDITION_FAILED - schema: body is not valid JSON (unparseable)');
    expect(await depth(queue)).toBe(0);
    expect(await schemaStats(exchange)).toEqual({ valid: 0, invalid: 0, unparseable: 1, dropped: 0 });
    // The schema `true` takes any JSON, and still only JSON.
    await ch.assertExchange('any-json', 'fanout', { arguments: { 'x-schema': 'true' } });
    await ch.bindQueue(queue, 'any-json', '');
    expect(await publishMandatory('any-json', Buffer.from('[1, "two"]'))).toBeUndefined();
    expect((await publishMandatory('any-json', Buffer.from('[1, "two"')))?.replyText).toContain('(unparseable)');
    expect(await depth(queue)).toBe(1);
  });

  it('passes other content types unchecked; x-schema-content-types picks the checked ones', async () => {
    const { exchange, queue } = await schemaExchange();
    expect(await publishMandatory(exchange, Buffer.from('not json'), 'text/plain')).toBeUndefined();
    expect(await publishMandatory(exchange, json({ id: 1 }), 'application/vnd.order+json')).toBeUndefined();
    expect((await publishMandatory(exchange, json({ id: 1 }), 'application/json; charset=utf-8'))?.replyCode).toBe(406);
    expect(await depth(queue)).toBe(2);
    expect(await schemaStats(exchange)).toEqual({ valid: 0, invalid: 1, unparseable: 0, dropped: 0 });

    const custom = await schemaExchange({ 'x-schema-content-types': 'application/vnd.order+json, application/json' });
    expect((await publishMandatory(custom.exchange, json({ id: 1 }), 'application/vnd.order+json'))?.replyCode).toBe(406);
    const list = await schemaExchange({ 'x-schema-content-types': ['application/vnd.order+json'] });
    expect(await publishMandatory(list.exchange, json({ id: 1 }), 'application/json')).toBeUndefined();
    expect((await publishMandatory(list.exchange, json({ id: 1 }), 'application/vnd.order+json'))?.replyCode).toBe(406);
  });

  it('refuses JSON nested deeper than the maximum, and bodies larger than the maximum, unparsed', async () => {
    const { exchange } = await schemaExchange();
    const at = (levels: number): Buffer => Buffer.from('['.repeat(levels) + ']'.repeat(levels));
    // 64 levels is allowed: it parses, then fails the schema on its type.
    expect((await publishMandatory(exchange, at(64)))?.replyText).toBe('PRECONDITION_FAILED - schema: / must be object (type)');
    expect((await publishMandatory(exchange, at(65)))?.replyText).toBe('PRECONDITION_FAILED - schema: JSON nested deeper than the maximum of 64 (max-depth)');
    // Brackets inside strings do not nest.
    expect(await publishMandatory(exchange, json({ id: '['.repeat(100), amount: 1 }))).toBeUndefined();
    // An escaped quote does not end a string; an escaped backslash before the quote does.
    expect(await publishMandatory(exchange, json({ id: '"' + '['.repeat(100), amount: 1 }))).toBeUndefined();
    expect((await publishMandatory(exchange, Buffer.from(`{"id": "a\\\\", "amount": 1, "x": ${'['.repeat(65)}${']'.repeat(65)}}`)))?.replyText).toContain('(max-depth)');
    const started = performance.now();
    expect((await publishMandatory(exchange, Buffer.from('['.repeat(1024 * 1024))))?.replyCode).toBe(406);
    const big = json({ id: 'x'.repeat(1024 * 1024), amount: 1 });
    expect((await publishMandatory(exchange, big))?.replyText).toBe(
      `PRECONDITION_FAILED - schema: body of ${big.length} bytes is larger than the maximum of 1048576 (max-bytes)`,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    const small = await schemaExchange({ 'x-schema-max-bytes': 16, 'x-schema-max-depth': 1 });
    expect((await publishMandatory(small.exchange, json({ id: 'a', amount: 1 })))?.replyText).toContain('larger than the maximum of 16 (max-bytes)');
    expect((await publishMandatory(small.exchange, Buffer.from('{"a":[1]}')))?.replyText).toContain('deeper than the maximum of 1 (max-depth)');
  });

  it('refuses an invalid x-schema at exchange.declare with 406 naming the compile error', async () => {
    const refused = async (args: Record<string, unknown>): Promise<string> => {
      const c = await conn.createChannel();
      const closed = channelError(c);
      await expect(c.assertExchange(`bad-${++n}`, 'fanout', { arguments: args })).rejects.toThrow();
      const err = await closed;
      expect(err.code).toBe(406);
      return err.message;
    };
    expect(await refused({ 'x-schema': '{"type": "nope"}' })).toMatch(
      /PRECONDITION_FAILED - invalid arg 'x-schema' for exchange 'bad-\d+' in vhost '\/': schema is invalid: data\/type must be equal to one of the allowed values/,
    );
    expect(await refused({ 'x-schema': '{"type": ' })).toMatch(/invalid arg 'x-schema' .*JSON/);
    expect(await refused({ 'x-schema': '{"$ref": "http://elsewhere/x"}' })).toMatch(/invalid arg 'x-schema' .*can't resolve reference http:\/\/elsewhere\/x/);
    expect(await refused({ 'x-schema': '"a string"' })).toMatch(/invalid arg 'x-schema' .*a schema must be an object or a boolean/);
    expect(await refused({ 'x-schema': 42 })).toMatch(/invalid arg 'x-schema' .*must be a JSON Schema as a JSON string/);
    expect(await refused({ 'x-schema': ORDER_SCHEMA, 'x-schema-max-depth': 0 })).toMatch(/invalid arg 'x-schema-max-depth'/);
    expect(await refused({ 'x-schema': ORDER_SCHEMA, 'x-schema-content-types': 5 })).toMatch(/invalid arg 'x-schema-content-types'/);
    // Nothing was declared.
    const c = await conn.createChannel();
    const closed = channelError(c);
    await expect(c.checkExchange(`bad-${n}`)).rejects.toThrow();
    expect((await closed).code).toBe(404);
  });

  it('exchanges without x-schema have no schema_stats', async () => {
    await ch.assertExchange('plain-x', 'fanout');
    const res = await broker.managementApp!.inject({ method: 'GET', url: '/api/exchanges/%2F/plain-x', headers: { authorization: GUEST } });
    expect(JSON.parse(res.body)).not.toHaveProperty('schema_stats');
  });
});
