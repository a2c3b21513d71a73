import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

/*
 * What the management API shows of an x-schema exchange (GET /api/exchanges/{vhost}/{name}/schema):
 * the schema as given and resolved, and its last 20 invalid messages, oldest first, each with the
 * time, routing key, reason, outcome and first bytes; and PUT /api/exchanges with a bad x-schema is
 * 400 with the reason. Real HTTP, stock amqplib.
 */

const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');
const SCHEMA = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
let broker: Broker;
let close: () => Promise<void>;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  base = `http://127.0.0.1:${broker.managementPort}`;
});
afterAll(async () => {
  await close();
});

async function http(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, { method, headers: { authorization: GUEST, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

describe('an x-schema exchange in the management API', () => {
  it('shows the schema and the last 20 invalid messages, oldest first', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('shown', 'topic', { arguments: { 'x-schema': JSON.stringify(SCHEMA), 'x-schema-by-key': JSON.stringify({ 'audit.#': true }) } });
    const before = Date.now();
    const nacks: Promise<unknown>[] = [];
    for (let i = 0; i < 25; i++) {
      nacks.push(new Promise((resolve) => ch.publish('shown', `order.${i}`, Buffer.from(JSON.stringify({ id: i, pad: 'x'.repeat(300) })), { contentType: 'application/json' }, resolve)));
    }
    await Promise.all(nacks);
    ch.publish('shown', 'order.bad', Buffer.from('{not json'), { contentType: 'application/json', mandatory: true });
    await ch.waitForConfirms().catch(() => undefined);
    await conn.close();

    const { status, json } = await http('GET', '/api/exchanges/%2F/shown/schema');
    expect(status).toBe(200);
    expect(json).toMatchObject({
      vhost: '/', exchange: 'shown', source: JSON.stringify(SCHEMA), schema: SCHEMA, registered: [], content_types: ['application/json'],
      by_key: [{ pattern: 'audit.#', source: 'true', schema: true }], max_bytes: 1048576, max_depth: 64,
      schema_stats: { valid: 0, invalid: 25, unparseable: 1, dropped: 0 },
    });
    const list = json.invalid_messages as Array<Record<string, unknown>>;
    expect(list).toHaveLength(20);
    expect(list.map((m) => m['routing_key'])).toEqual([...Array.from({ length: 19 }, (_, i) => `order.${i + 6}`), 'order.bad']);
    const first = list[0] as Record<string, unknown>;
    expect(first).toMatchObject({ verdict: 'invalid', reason: 'schema: /id must be string (type)', outcome: 'nacked', payload_bytes: JSON.stringify({ id: 6, pad: 'x'.repeat(300) }).length });
    expect(first['payload']).toBe(JSON.stringify({ id: 6, pad: 'x'.repeat(300) }).slice(0, 256));
    expect(first['timestamp']).toBeGreaterThanOrEqual(before - 1000);
    expect(list[19]).toMatchObject({ verdict: 'unparseable', reason: 'schema: body is not valid JSON (unparseable)', outcome: 'returned', payload: '{not json' });

    await http('PUT', '/api/exchanges/%2F/plain', { type: 'fanout' });
    expect((await http('GET', '/api/exchanges/%2F/plain/schema')).status).toBe(404);
    expect((await http('GET', '/api/exchanges/%2F/missing/schema')).status).toBe(404);
  });

  it('PUT /api/exchanges with a bad x-schema is 400 with the reason, and declares nothing', async () => {
    const bad = await http('PUT', '/api/exchanges/%2F/bad-schema', { type: 'fanout', arguments: { 'x-schema': '{"type": "nope"}' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      error: 'bad_request',
      reason: "invalid arg 'x-schema' for exchange 'bad-schema' in vhost '/': schema is invalid: data/type must be equal to one of the allowed values, data/type must be array, data/type must match a schema in anyOf",
    });
    const unnamed = await http('PUT', '/api/exchanges/%2F/bad-schema', { type: 'fanout', arguments: { 'x-schema': 'nowhere' } });
    expect(unnamed.status).toBe(400);
    expect(unnamed.json.reason).toMatch(/no schema 'nowhere' is registered in vhost '\/'/);
    expect((await http('GET', '/api/exchanges/%2F/bad-schema')).status).toBe(404);
    expect((await http('PUT', '/api/exchanges/%2F/good-schema', { type: 'fanout', arguments: { 'x-schema': JSON.stringify(SCHEMA) } })).status).toBe(201);
  });
});
