import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { CHUNK_ROWS } from '../../../src/http/json-stream.js';
import { openBroker } from '../../helpers/broker.js';

// A whole list longer than one chunk (http/json-stream.ts), over a real listener and inject(): one
// JSON array, in order, whatever the list controls, with RabbitMQ's content type.

const N = CHUNK_ROWS * 2 + 345;
const AUTH = { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') };
const names = Array.from({ length: N }, (_, i) => `q.${String(i).padStart(5, '0')}`);

let broker: Broker;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  for (const name of [...names].reverse()) await ch.assertQueue(name, { durable: false });
  ch.sendToQueue(names[7] as string, Buffer.from('one'));
  ch.sendToQueue(names[N - 3] as string, Buffer.from('two'));
  ch.sendToQueue(names[N - 3] as string, Buffer.from('three'));
  await ch.waitForConfirms();
  await conn.close();
}, 120_000);

afterAll(async () => {
  await close();
});

describe('GET /api/queues of more queues than one chunk', () => {
  it('is one JSON array of every queue in name order, over HTTP', async () => {
    const res = await fetch(`http://127.0.0.1:${broker.managementPort}/api/queues`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as { name: string; messages: number; message_stats: object }[];
    expect(body.map((q) => q.name)).toEqual(names);
    expect(body[7]?.messages).toBe(1);
    expect(body[N - 3]?.messages).toBe(2);
    expect(Object.keys(body[0]?.message_stats ?? {})).toContain('deliver_get_details');
  });

  it('keeps columns and sorts by a stat across chunks', async () => {
    const app = broker.managementApp!;
    const cols = await app.inject({ method: 'GET', url: '/api/queues/%2F?columns=name,messages', headers: AUTH });
    expect(JSON.parse(cols.body)).toEqual(names.map((name, i) => ({ name, messages: i === 7 ? 1 : i === N - 3 ? 2 : 0 })));
    const sorted = await app.inject({ method: 'GET', url: '/api/queues?sort=messages&sort_reverse=true&columns=name', headers: AUTH });
    const top = (JSON.parse(sorted.body) as { name: string }[]).map((q) => q.name);
    expect(top).toHaveLength(N);
    expect(top.slice(0, 2)).toEqual([names[N - 3], names[7]]);
  });

  it('answers HEAD without a body', async () => {
    const res = await fetch(`http://127.0.0.1:${broker.managementPort}/api/queues`, { method: 'HEAD', headers: AUTH });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});
