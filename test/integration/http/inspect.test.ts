import amqp from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { eventually, openBroker } from '../../helpers/broker.js';

/*
 * Browse, unacked, redrive and explain (README "Beyond RabbitMQ") through the management API of a real
 * embedded broker (fastify inject(), one real listener), with messages published and held by amqplib.
 */

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let ch: amqp.ConfirmChannel;

const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
const GUEST = basic('guest', 'guest');

async function call(method: 'GET' | 'POST', url: string, body?: unknown, auth = GUEST) {
  const res = await broker.managementApp!.inject({ method, url, headers: { authorization: auth }, ...(body !== undefined ? { payload: body as object } : {}) });
  return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as any) };
}

const ready = (queue: string): number => broker.readModel.queue('/', queue)?.messagesReady ?? -1;

async function drain(queue: string): Promise<{ body: string; redelivered: boolean }[]> {
  const out: { body: string; redelivered: boolean }[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) return out;
    out.push({ body: m.content.toString(), redelivered: m.fields.redelivered });
  }
}

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  await broker.users.put({ name: 'nosy', password: 'pw', tags: ['management'] });
  await broker.permissions.set({ user: 'nosy', vhost: '/', configure: '.*', write: '.*', read: '^nothing$' });
  conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'inspect-test' } });
  ch = await conn.createConfirmChannel();
});

afterAll(async () => {
  await conn.close();
  await close();
});

describe('browse', () => {
  it('shows ready messages from a position in the get-reply shape and changes nothing', async () => {
    await ch.assertQueue('b.plain', { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue('b.plain', Buffer.from(`m${i}`), { headers: { n: i }, contentType: 'text/plain', persistent: i === 0 });
    ch.sendToQueue('b.plain', Buffer.from([0xff, 0xfe, 0x00]));
    await ch.waitForConfirms();
    const res = await call('GET', '/api/queues/%2F/b.plain/browse?from=1&count=2');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { position: 1, payload_bytes: 2, redelivered: false, exchange: '', routing_key: 'b.plain', message_count: 4, properties: { content_type: 'text/plain', headers: { n: 1 }, delivery_mode: 1 }, payload: 'm1', payload_encoding: 'string' },
      { position: 2, payload_bytes: 2, redelivered: false, exchange: '', routing_key: 'b.plain', message_count: 3, properties: { content_type: 'text/plain', headers: { n: 2 }, delivery_mode: 1 }, payload: 'm2', payload_encoding: 'string' },
    ]);
    const binary = (await call('GET', '/api/queues/%2F/b.plain/browse?from=5&count=10')).body;
    expect(binary).toMatchObject([{ position: 5, payload: Buffer.from([0xff, 0xfe, 0x00]).toString('base64'), payload_encoding: 'base64' }]);
    const cut = (await call('GET', '/api/queues/%2F/b.plain/browse?count=1&truncate=1&encoding=base64')).body;
    expect(cut).toMatchObject([{ position: 0, payload_bytes: 2, payload: Buffer.from('m').toString('base64'), payload_encoding: 'base64', properties: { delivery_mode: 2 } }]);
    // Nothing delivered, counted, reordered or flagged: a consumer still gets them all, first time.
    expect(ready('b.plain')).toBe(6);
    const stats = broker.stats.queue('/', 'b.plain');
    expect([stats?.deliver_get, stats?.redeliver]).toEqual([0, 0]);
    expect((await drain('b.plain')).map((m) => `${m.body.slice(0, 2)}:${m.redelivered}`)).toEqual(['m0:false', 'm1:false', 'm2:false', 'm3:false', 'm4:false', '\ufffd\ufffd:false']);
  });

  it('shows a priority queue in delivery order', async () => {
    await ch.assertQueue('b.prio', { durable: false, arguments: { 'x-max-priority': 5 } });
    const prios = [1, 5, 0, 3, 5, 1];
    prios.forEach((p, i) => ch.sendToQueue('b.prio', Buffer.from(`p${p}-${i}`), { priority: p }));
    await ch.waitForConfirms();
    const browsed = (await call('GET', '/api/queues/%2F/b.prio/browse?count=100')).body.map((m: any) => m.payload);
    expect(browsed).toEqual(['p5-1', 'p5-4', 'p3-3', 'p1-0', 'p1-5', 'p0-2']);
    expect((await drain('b.prio')).map((m) => m.body)).toEqual(browsed);
  });

  it.each([
    ['transient, from the page file', 'b.long', false],
    ['persistent on a durable queue, from its message log', 'b.longd', true],
  ] as const)('reads the paged tail of a long queue (%s), across the window boundary, without paging it in', async (_what, queue, durable) => {
    await ch.assertQueue(queue, { durable });
    const N = 21_000; // past 20,000 ready messages a queue pages its tail out (core/queue/queue-paging.ts)
    for (let i = 0; i < N; i++) {
      if (!ch.sendToQueue(queue, Buffer.from(String(i).padStart(6, '0')), { persistent: durable })) await new Promise((r) => ch.once('drain', r));
    }
    await ch.waitForConfirms();
    expect(ready(queue)).toBe(N);
    const across = (await call('GET', `/api/queues/%2F/${queue}/browse?from=19998&count=4`)).body;
    expect(across.map((m: any) => [m.position, m.payload, m.message_count])).toEqual([
      [19998, '019998', N - 19999],
      [19999, '019999', N - 20000],
      [20000, '020000', N - 20001],
      [20001, '020001', N - 20002],
    ]);
    const deep = (await call('GET', `/api/queues/%2F/${queue}/browse?from=20995&count=1000`)).body;
    expect(deep.map((m: any) => m.payload)).toEqual(['020995', '020996', '020997', '020998', '020999']);
    expect(ready(queue)).toBe(N);
    const all = await drain(queue);
    expect(all.length).toBe(N);
    expect(all.every((m, i) => m.body === String(i).padStart(6, '0') && !m.redelivered)).toBe(true);
  });

  it('bounds count, needs read permission as basic.get does, and 404s a missing queue', async () => {
    expect((await call('GET', '/api/queues/%2F/b.plain/browse?count=1001')).status).toBe(400);
    const refused = await call('GET', '/api/queues/%2F/b.plain/browse', undefined, basic('nosy', 'pw'));
    expect(refused).toEqual({ status: 401, body: { error: 'not_authorised', reason: "ACCESS_REFUSED - read access to queue 'b.plain' in vhost '/' refused for user 'nosy'" } });
    expect((await call('GET', '/api/queues/%2F/nope/browse')).status).toBe(404);
  });
});

describe('unacked', () => {
  it("lists each delivery awaiting ack with its consumer tag, channel, connection and age", async () => {
    await ch.assertQueue('u.q', { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue('u.q', Buffer.from(`u${i}`));
    await ch.waitForConfirms();
    const holder = await conn.createChannel();
    await holder.prefetch(3);
    const got: amqp.ConsumeMessage[] = [];
    await holder.consume('u.q', (m) => m && got.push(m), { consumerTag: 'holder-1' });
    await eventually(() => got.length === 3);
    const getter = await conn.createChannel();
    const single = await getter.get('u.q');
    expect(single).not.toBe(false);
    const list = (await call('GET', '/api/queues/%2F/u.q/unacked')).body;
    const socket = (conn as any).connection.stream as import('node:net').Socket;
    const connectionName = `${socket.localAddress}:${socket.localPort} -> 127.0.0.1:${broker.port}`;
    expect(list).toHaveLength(4);
    expect(list.slice(0, 3).map((d: any) => [d.delivery_tag, d.consumer_tag, d.routing_key])).toEqual([
      [1, 'holder-1', 'u.q'],
      [2, 'holder-1', 'u.q'],
      [3, 'holder-1', 'u.q'],
    ]);
    expect(list[3]).toMatchObject({ delivery_tag: 1, consumer_tag: null, redelivered: false, exchange: '', routing_key: 'u.q', payload_bytes: 2 });
    expect(list[0].channel_details).toEqual({ name: `${connectionName} (2)`, number: 2, connection_name: connectionName, peer_host: socket.localAddress, peer_port: socket.localPort, user: 'guest' });
    expect(list[3].channel_details.number).toBe(3);
    for (const d of list) expect(d.age_ms).toBeGreaterThanOrEqual(0);
    expect((await call('GET', '/api/queues/%2F/u.q/unacked?offset=1&limit=2')).body.map((d: any) => d.delivery_tag)).toEqual([2, 3]);
    await holder.close(); // requeued: redelivered next time, and listed as such when held again
    await getter.close();
    expect((await call('GET', '/api/queues/%2F/u.q/unacked')).body).toEqual([]);
    const again = await conn.createChannel();
    await again.get('u.q');
    expect((await call('GET', '/api/queues/%2F/u.q/unacked')).body).toMatchObject([{ delivery_tag: 1, consumer_tag: null, redelivered: true }]);
    await again.close();
  });
});

describe('redrive', () => {
  it('moves dead letters back to the queue in their x-death, by reason and count, atomically', async () => {
    await ch.assertExchange('r.dlx', 'fanout', { durable: true });
    await ch.assertQueue('r.dlq', { durable: true });
    await ch.bindQueue('r.dlq', 'r.dlx', '');
    await ch.assertQueue('r.work', { durable: true, arguments: { 'x-dead-letter-exchange': 'r.dlx' } });
    await ch.assertQueue('r.ttl', { durable: false, arguments: { 'x-dead-letter-exchange': 'r.dlx', 'x-message-ttl': 1 } });
    await ch.assertQueue('r.other', { durable: true });
    await ch.bindQueue('r.other', 'amq.direct', 'to-other');
    for (let i = 0; i < 3; i++) ch.sendToQueue('r.work', Buffer.from(`w${i}`), { persistent: true });
    await ch.waitForConfirms();
    const worker = await conn.createChannel();
    for (let i = 0; i < 3; i++) {
      const m = await worker.get('r.work');
      if (m !== false) worker.nack(m, false, false); // rejected: dead-lettered with x-death queue r.work
    }
    ch.sendToQueue('r.ttl', Buffer.from('t0'));
    await ch.waitForConfirms();
    await eventually(() => ready('r.dlq') === 4);
    const browsed = (await call('GET', '/api/queues/%2F/r.dlq/browse?count=10')).body;
    expect(browsed[0].properties.headers['x-death'][0]).toMatchObject({ queue: 'r.work', reason: 'rejected', count: 1 });

    expect(await call('POST', '/api/queues/%2F/r.dlq/redrive', { reason: 'rejected', max: 2 })).toEqual({ status: 200, body: { moved: 2, skipped: 0 } });
    expect(ready('r.work')).toBe(2);
    expect(ready('r.dlq')).toBe(2);
    // The rest: one rejected moves, the expired one is skipped (another reason) and stays.
    expect((await call('POST', '/api/queues/%2F/r.dlq/redrive', { reason: 'rejected' })).body).toEqual({ moved: 1, skipped: 1 });
    expect(ready('r.dlq')).toBe(1);
    const back = await drain('r.work');
    expect(back.map((m) => m.body)).toEqual(['w0', 'w1', 'w2']);
    // To a given exchange and key instead.
    expect((await call('POST', '/api/queues/%2F/r.dlq/redrive', { exchange: 'amq.direct', routing_key: 'to-other' })).body).toEqual({ moved: 1, skipped: 0 });
    expect(ready('r.dlq')).toBe(0);
    const other = await ch.get('r.other', { noAck: true });
    expect(other !== false && other.content.toString()).toBe('t0');
    expect(other !== false && (other.properties.headers?.['x-death'] as any[])[0]).toMatchObject({ queue: 'r.ttl', reason: 'expired' });
    await worker.close();
  });

  it('leaves a message whose target does not take it where it was, and checks permissions', async () => {
    await ch.assertExchange('r2.dlx', 'fanout', { durable: false });
    await ch.assertQueue('r2.dlq', { durable: false });
    await ch.bindQueue('r2.dlq', 'r2.dlx', '');
    await ch.assertQueue('r2.full', { durable: false, arguments: { 'x-dead-letter-exchange': 'r2.dlx', 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' } });
    await ch.assertQueue('r2.closed', { durable: false, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    ch.sendToQueue('r2.full', Buffer.from('kept'));
    ch.sendToQueue('r2.full', Buffer.from('over'));
    await ch.waitForConfirms().catch(() => undefined); // the second is nacked, and dead-lettered (maxlen)
    await eventually(() => ready('r2.dlq') === 1);
    // r2.closed refuses every publish (reject-publish): the message stays in the DLQ, in its place, unflagged.
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', { exchange: 'amq.default', routing_key: 'r2.closed' })).body).toEqual({ moved: 0, skipped: 1 });
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', { exchange: 'amq.default', routing_key: 'r2.nowhere' })).body).toEqual({ moved: 0, skipped: 1 });
    expect(ready('r2.dlq')).toBe(1);
    expect((await call('GET', '/api/queues/%2F/r2.dlq/browse?count=5')).body).toMatchObject([{ position: 0, payload: 'over', redelivered: false }]);
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', { exchange: 'nope' })).status).toBe(404);
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', { reason: 'bogus' })).status).toBe(400);
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', {}, basic('nosy', 'pw'))).status).toBe(401);
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', { reason: 'expired' })).body).toEqual({ moved: 0, skipped: 1 });
    await ch.purgeQueue('r2.full');
    expect((await call('POST', '/api/queues/%2F/r2.dlq/redrive', { reason: 'maxlen' })).body).toEqual({ moved: 1, skipped: 0 });
    expect([ready('r2.full'), ready('r2.dlq')]).toEqual([1, 0]);
  });
});

describe('redrive of persistent messages', () => {
  it('keeps them durable: after a restart they are in the target, and gone from the DLQ', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-redrive-'));
    try {
      const options = { port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() };
      const first = await startBroker(options);
      const c = await amqp.connect(first.url);
      const cc = await c.createConfirmChannel();
      await cc.assertQueue('d.dlq', { durable: true });
      await cc.assertQueue('d.work', { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'd.dlq' } });
      for (let i = 0; i < 4; i++) cc.sendToQueue('d.work', Buffer.from(`d${i}`), { persistent: true });
      await cc.waitForConfirms();
      for (let i = 0; i < 4; i++) {
        const m = await cc.get('d.work');
        if (m !== false) cc.reject(m, false);
      }
      await eventually(() => first.readModel.queue('/', 'd.dlq')?.messagesReady === 4);
      expect(await first.inspect.redrive('/', 'd.dlq', { max: 3 })).toEqual({ moved: 3, skipped: 0 });
      await c.close();
      await first.close();
      const second = await startBroker(options);
      try {
        expect(second.readModel.queue('/', 'd.work')?.messagesReady).toBe(3);
        expect(second.readModel.queue('/', 'd.dlq')?.messagesReady).toBe(1);
        expect((await second.inspect.browse('/', 'd.work', { count: 10 })).map((m) => m.message.body.toString())).toEqual(['d0', 'd1', 'd2']);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('explain', () => {
  it('shows the bindings, e2e hops, alternate exchanges and queues a publish reaches, and lands where a real one does', async () => {
    await ch.assertExchange('e.ae', 'fanout', { durable: false });
    await ch.assertExchange('e.topic', 'topic', { durable: false, alternateExchange: 'e.ae' });
    await ch.assertExchange('e.headers', 'headers', { durable: false });
    for (const q of ['e.q1', 'e.q2', 'e.q3', 'e.unrouted']) await ch.assertQueue(q, { durable: false });
    await ch.bindQueue('e.q1', 'e.topic', 'a.*');
    await ch.bindQueue('e.q1', 'e.topic', 'z.#'); // does not match a.b: not listed
    await ch.bindExchange('e.headers', 'e.topic', 'a.#');
    await ch.bindQueue('e.q2', 'e.headers', '', { 'x-match': 'all', kind: 'x' });
    await ch.bindQueue('e.q3', 'e.headers', '', { 'x-match': 'all', kind: 'y' });
    await ch.bindQueue('e.unrouted', 'e.ae', '');
    const explain = await call('POST', '/api/exchanges/%2F/e.topic/explain', { routing_key: 'a.b', headers: { kind: 'x' } });
    expect(explain).toEqual({
      status: 200,
      body: {
        routed: true,
        queues: [{ vhost: '/', name: 'e.q1' }, { vhost: '/', name: 'e.q2' }],
        bindings: [
          { source: 'e.topic', vhost: '/', destination: 'e.q1', destination_type: 'queue', routing_key: 'a.*', arguments: {} },
          { source: 'e.topic', vhost: '/', destination: 'e.headers', destination_type: 'exchange', routing_key: 'a.#', arguments: {} },
          { source: 'e.headers', vhost: '/', destination: 'e.q2', destination_type: 'queue', routing_key: '', arguments: { 'x-match': 'all', kind: 'x' } },
        ],
        alternate_exchanges: [],
        delayed_by: [],
      },
    });
    const viaAe = (await call('POST', '/api/exchanges/%2F/e.topic/explain', { routing_key: 'q.r' })).body;
    expect(viaAe).toMatchObject({ routed: true, queues: [{ name: 'e.unrouted' }], alternate_exchanges: [{ name: 'e.ae' }] });
    const byDefault = (await call('POST', '/api/exchanges/%2F/amq.default/explain', { routing_key: 'e.q3' })).body;
    expect(byDefault).toMatchObject({ routed: true, queues: [{ name: 'e.q3' }], bindings: [{ source: '', destination: 'e.q3', routing_key: 'e.q3' }] });
    expect((await call('POST', '/api/exchanges/%2F/amq.direct/explain', { routing_key: 'none' })).body).toMatchObject({ routed: false, queues: [] });
    // Nothing was published by explaining; a real publish lands exactly where explain said.
    for (const q of ['e.q1', 'e.q2', 'e.q3', 'e.unrouted']) expect(ready(q)).toBe(0);
    ch.publish('e.topic', 'a.b', Buffer.from('real'), { headers: { kind: 'x' } });
    ch.publish('e.topic', 'q.r', Buffer.from('real'));
    await ch.waitForConfirms();
    expect(['e.q1', 'e.q2', 'e.q3', 'e.unrouted'].map(ready)).toEqual([1, 1, 0, 1]);
    expect((await call('POST', '/api/exchanges/%2F/e.topic/explain', { headers: {} })).status).toBe(400);
    expect((await call('POST', '/api/exchanges/%2F/e.topic/explain', { routing_key: 'a', properties: { priority: 'high' } })).status).toBe(400);
    expect((await call('POST', '/api/exchanges/%2F/nope/explain', { routing_key: 'a' })).status).toBe(404);
  });

  it('answers over a real listener too', async () => {
    const res = await fetch(`http://127.0.0.1:${broker.managementPort}/api/exchanges/%2F/amq.default/explain`, {
      method: 'POST',
      headers: { authorization: GUEST, 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: 'e.q1' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ routed: true, queues: [{ vhost: '/', name: 'e.q1' }] });
  });
});
