import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { channelError } from '../../helpers/amqp.js';
import { restartableBroker } from '../../helpers/restartable-broker.js';

/*
 * Schemas registered by name (PUT/GET/DELETE /api/schemas/{vhost}/{name}), which x-schema names:
 * over real HTTP and stock amqplib. Replacing one applies to the next publish of every exchange
 * naming it; deleting one in use is 409; they survive a restart and travel in definitions.
 */

const { restart } = restartableBroker('warren-schema-reg-', { managementPort: 0 });
const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');
const ORDER = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };

async function http(broker: Broker, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://127.0.0.1:${broker.managementPort}${path}`, {
    method,
    headers: { authorization: GUEST, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** Publishes mandatory; the reply code of the basic.return, or undefined when routed. */
async function returned(ch: amqp.Channel, exchange: string, content: unknown, routingKey = ''): Promise<number | undefined> {
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

describe('schemas registered by name', () => {
  it('registers, lists, refuses one that does not compile, and an x-schema naming it checks publishes', async () => {
    const broker = await restart();
    expect((await http(broker, 'PUT', '/api/schemas/%2F/order', { schema: ORDER })).status).toBe(201);
    expect((await http(broker, 'PUT', '/api/schemas/%2F/order', { schema: ORDER })).status).toBe(204);
    const bad = await http(broker, 'PUT', '/api/schemas/%2F/broken', { schema: { type: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'bad_request', reason: expect.stringMatching(/schema 'broken' does not compile: schema is invalid: data\/type must be equal to one of the allowed values/) });
    expect((await http(broker, 'PUT', '/api/schemas/%2F/%7Bx', { schema: ORDER })).status).toBe(400);
    expect((await http(broker, 'PUT', '/api/schemas/nope/order', { schema: ORDER })).status).toBe(404);
    expect((await http(broker, 'GET', '/api/schemas/%2F/broken')).status).toBe(404);

    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertExchange('orders', 'fanout', { arguments: { 'x-schema': 'order' } });
    await ch.assertQueue('orders-q', { exclusive: true });
    await ch.bindQueue('orders-q', 'orders', '');
    expect(await returned(ch, 'orders', { id: 1 })).toBe(406);
    expect(await returned(ch, 'orders', { id: '1' })).toBeUndefined();
    expect((await http(broker, 'GET', '/api/schemas/%2F/order')).json).toEqual({ vhost: '/', name: 'order', schema: ORDER, exchanges: ['orders'] });
    expect((await http(broker, 'GET', '/api/schemas')).json).toEqual([{ vhost: '/', name: 'order', schema: ORDER, exchanges: ['orders'] }]);
    expect((await http(broker, 'GET', '/api/schemas/%2F')).json).toHaveLength(1);

    const c = await conn.createChannel();
    const closed = channelError(c);
    await expect(c.assertExchange('other', 'fanout', { arguments: { 'x-schema': 'unknown' } })).rejects.toThrow();
    const err = await closed;
    expect(err.code).toBe(406);
    expect(err.message).toMatch(/invalid arg 'x-schema' for exchange 'other' in vhost '\/': no schema 'unknown' is registered in vhost '\/'/);
    await conn.close();
  });

  it('a replaced schema applies to the next publish; deleting one in use is 409 naming the exchanges', async () => {
    const broker = await restart();
    await http(broker, 'PUT', '/api/schemas/%2F/order', { schema: ORDER });
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    for (const x of ['a', 'b']) await ch.assertExchange(x, 'fanout', { arguments: { 'x-schema': 'order' } });
    expect(await returned(ch, 'a', { id: 1 })).toBe(406);
    expect(await returned(ch, 'b', { id: 1 })).toBe(406);
    // Now id must be a number: the same exchanges check against it at once.
    expect((await http(broker, 'PUT', '/api/schemas/%2F/order', { schema: { ...ORDER, properties: { id: { type: 'number' } } } })).status).toBe(204);
    expect(await returned(ch, 'a', { id: '1' })).toBe(406);
    expect(await returned(ch, 'b', { id: 1 })).toBe(312); // passed the schema; no queue bound: NO_ROUTE

    const inUse = await http(broker, 'DELETE', '/api/schemas/%2F/order');
    expect(inUse.status).toBe(409);
    expect(inUse.json).toEqual({ error: 'conflict', reason: "schema 'order' in vhost '/' is used by exchanges 'a', 'b'" });
    await ch.deleteExchange('a');
    await ch.deleteExchange('b');
    expect((await http(broker, 'DELETE', '/api/schemas/%2F/order')).status).toBe(204);
    expect((await http(broker, 'DELETE', '/api/schemas/%2F/order')).status).toBe(404);
    expect((await http(broker, 'GET', '/api/schemas/%2F/order')).status).toBe(404);
    await conn.close();
  });

  it('is durable, and travels in definitions export and import (a "schemas" key) before the exchanges naming it', async () => {
    let broker = await restart();
    await http(broker, 'PUT', '/api/schemas/%2F/order', { schema: ORDER });
    let conn = await amqp.connect(broker.url);
    let ch = await conn.createChannel();
    await ch.assertExchange('orders', 'fanout', { durable: true, arguments: { 'x-schema': 'order' } });
    await conn.close();

    broker = await restart();
    conn = await amqp.connect(broker.url);
    ch = await conn.createChannel();
    expect(await returned(ch, 'orders', { id: 1 })).toBe(406);
    await conn.close();
    const doc = (await http(broker, 'GET', '/api/definitions')).json as Record<string, unknown>;
    expect(doc['schemas']).toEqual([{ vhost: '/', name: 'order', schema: ORDER }]);
    expect((await http(broker, 'GET', '/api/definitions/%2F')).json).toMatchObject({ schemas: [{ name: 'order', schema: ORDER }] });

    // A fresh broker takes the document: the schema first, then the exchange that names it.
    broker = await restart({ dataDir: undefined });
    expect((await http(broker, 'GET', '/api/schemas')).json).toEqual([]);
    expect((await http(broker, 'POST', '/api/definitions', doc)).status).toBe(204);
    expect((await http(broker, 'GET', '/api/schemas/%2F/order')).json).toMatchObject({ schema: ORDER, exchanges: ['orders'] });
    conn = await amqp.connect(broker.url);
    ch = await conn.createChannel();
    expect(await returned(ch, 'orders', { id: 1 })).toBe(406);
    await conn.close();
    // A document whose exchange names a schema it lacks is refused whole.
    const lacking = { exchanges: [{ name: 'x2', vhost: '/', type: 'fanout', durable: true, arguments: { 'x-schema': 'missing' } }] };
    const refused = await http(broker, 'POST', '/api/definitions', lacking);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toMatch(/no schema 'missing' is registered/);
  });
});
