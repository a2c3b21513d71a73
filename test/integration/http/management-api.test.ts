import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

/*
 * The management API's routes through fastify's inject() against a real embedded broker (no mocks),
 * and one real listener for Basic auth. Expected bodies are RabbitMQ 3.10.8's, taken with curl.
 */

let broker: Broker;
let close: () => Promise<void>;
let conn: amqp.ChannelModel;
let other: amqp.ChannelModel;

const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
const GUEST = basic('guest', 'guest');

async function get(url: string, auth: string | null = GUEST) {
  const app = broker.managementApp;
  if (app === undefined) throw new Error('management API is off');
  const res = await app.inject({ method: 'GET', url, headers: auth === null ? {} : { authorization: auth } });
  return { status: res.statusCode, headers: res.headers, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
}

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  await broker.createVhost('other');
  await broker.users.put({ name: 'plain', password: 'pw' });
  await broker.users.put({ name: 'mgmt', password: 'pw', tags: ['management'] });
  await broker.users.put({ name: 'mon', password: 'pw', tags: ['monitoring'] });
  await broker.permissions.set({ user: 'mgmt', vhost: 'other', configure: '.*', write: '.*', read: '.*' });
  conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'api-test' } });
  const ch = await conn.createChannel();
  await ch.assertExchange('x.t', 'topic', { durable: true });
  for (const name of ['q.b', 'q.a', 'Q.c']) await ch.assertQueue(name, { durable: false, arguments: { 'x-max-length': 10 } });
  await ch.bindQueue('q.a', 'x.t', 'a.*', { foo: 'bar' });
  await ch.consume('q.a', () => undefined, { consumerTag: 'ctag-1' });
  other = await amqp.connect(broker.url.replace(/\/?$/, '/other').replace('guest:guest', 'mgmt:pw'));
  const och = await other.createChannel();
  await och.assertQueue('q.other');
});

afterAll(async () => {
  await conn.close();
  await other.close();
  await close();
});

describe('errors and auth, as RabbitMQ 3.10', () => {
  it('answers an unknown path and a missing object with its 404 body', async () => {
    for (const url of ['/api/nope', '/api/queues/nope', '/api/queues/%2F/nope', '/api/exchanges/%2F/nope']) {
      expect(await get(url)).toMatchObject({ status: 404, body: { error: 'Object Not Found', reason: 'Not Found' } });
    }
  });

  it('answers another method with 405, an Allow header and no body, before any auth', async () => {
    const res = await broker.managementApp!.inject({ method: 'DELETE', url: '/api/overview' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('HEAD, GET, OPTIONS');
    expect(res.body).toBe('');
  });

  it('challenges a request without credentials and refuses a wrong password', async () => {
    const none = await get('/api/overview', null);
    expect(none.status).toBe(401);
    expect(none.body).toBeUndefined();
    expect(none.headers['www-authenticate']).toBe('Basic realm="RabbitMQ Management"');
    const wrong = await get('/api/overview', basic('guest', 'nope'));
    expect(wrong).toMatchObject({ status: 401, body: { error: 'not_authorized', reason: 'Login failed' } });
    expect(wrong.headers['www-authenticate']).toBe('Basic realm="RabbitMQ Management"');
  });

  it('applies the tag rules: no management tag, administrator-only and monitor-only paths', async () => {
    expect(await get('/api/overview', basic('plain', 'pw'))).toMatchObject({ status: 401, body: { error: 'not_authorised', reason: 'Not management user' } });
    expect(await get('/api/users', basic('mgmt', 'pw'))).toMatchObject({ status: 401, body: { reason: 'Not administrator user' } });
    expect(await get('/api/nodes', basic('mgmt', 'pw'))).toMatchObject({ status: 401, body: { reason: 'Not monitor user' } });
    expect((await get('/api/nodes', basic('mon', 'pw'))).status).toBe(200);
    expect(await get('/api/whoami', basic('mon', 'pw'))).toMatchObject({ status: 200, body: { name: 'mon', tags: ['monitoring'] } });
  });

  it('shows a management user only the vhosts it has permissions on', async () => {
    const m = basic('mgmt', 'pw');
    expect((await get('/api/vhosts?columns=name', m)).body).toEqual([{ name: 'other' }]);
    expect((await get('/api/queues?columns=name,vhost', m)).body).toEqual([{ name: 'q.other', vhost: 'other' }]);
    expect(await get('/api/queues/%2F', m)).toMatchObject({ status: 401, body: { reason: 'User not authorised to access virtual host' } });
    expect((await get('/api/queues/nope', m)).status).toBe(404); // the vhost is checked first
    expect((await get('/api/connections?columns=user,vhost', m)).body).toEqual([{ user: 'mgmt', vhost: 'other' }]); // its own only
    // monitoring: every vhost's name and every connection, but no objects of vhosts without permissions
    const mon = basic('mon', 'pw');
    expect((await get('/api/vhosts?columns=name', mon)).body).toEqual([{ name: '/' }, { name: 'other' }]);
    expect((await get('/api/queues', mon)).body).toEqual([]);
    expect(((await get('/api/connections', mon)).body as unknown[]).length).toBe(2);
  });

  it('serves Basic auth over a real listener on managementPort', async () => {
    const url = `http://127.0.0.1:${broker.managementPort}/api/whoami`;
    const ok = await fetch(url, { headers: { authorization: GUEST } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ name: 'guest', tags: ['administrator'] });
    const refused = await fetch(url, { headers: { authorization: basic('guest', 'x') } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Basic realm="RabbitMQ Management"');
  });
});

describe('objects', () => {
  it('always gives the overview message_stats, queue_totals and object_totals', async () => {
    const { body } = (await get('/api/overview')) as { body: Record<string, Record<string, unknown>> };
    expect(body['message_stats']).toHaveProperty('publish');
    const zero = { rate: 0 };
    expect(body['queue_totals']).toEqual({
      messages: 0, messages_details: zero, messages_ready: 0, messages_ready_details: zero, messages_unacknowledged: 0, messages_unacknowledged_details: zero,
    });
    expect(body['object_totals']).toMatchObject({ queues: 4, connections: 2, channels: 2, consumers: 1 });
    expect(body['product_name']).toBe('Warren');
    expect(body['rabbitmq_version']).toBe('3.10.8');
  });

  it("reads a queue by %2F, an exchange by amq.default, and a binding's properties_key", async () => {
    const q = await get('/api/queues/%2F/q.a');
    expect(q.body).toMatchObject({ name: 'q.a', vhost: '/', arguments: { 'x-max-length': 10 }, consumers: 1, type: 'classic' });
    expect((q.body as { consumer_details: unknown[] }).consumer_details).toMatchObject([{ consumer_tag: 'ctag-1' }]);
    expect((await get('/api/exchanges/%2F/amq.default')).body).toMatchObject({ name: '', type: 'direct' });
    const b = await get('/api/bindings/%2F/e/x.t/q/q.a');
    expect(b.body).toMatchObject([{ source: 'x.t', destination: 'q.a', destination_type: 'queue', routing_key: 'a.*', arguments: { foo: 'bar' } }]);
    expect((b.body as { properties_key: string }[])[0]?.properties_key).toMatch(/^a\.%2A~/);
    const implicit = (await get('/api/bindings/%2F')).body as { source: string; destination: string; properties_key: string }[];
    expect(implicit.filter((x) => x.source === '')).toContainEqual(expect.objectContaining({ destination: 'q.b', properties_key: 'q.b' }));
  });
});

describe('list controls', () => {
  it('pages with the envelope, filters by name (ignoring case) only with page, sorts and keeps columns', async () => {
    expect((await get('/api/queues/%2F?page=1&page_size=2&columns=name')).body).toEqual({
      filtered_count: 3, item_count: 2, items: [{ name: 'Q.c' }, { name: 'q.a' }], page: 1, page_count: 2, page_size: 2, total_count: 3,
    });
    expect((await get('/api/queues/%2F?page=1&name=Q.&columns=name')).body).toMatchObject({ filtered_count: 3 });
    expect((await get('/api/queues/%2F?page=1&name=%5Eq%5C.%5Bab%5D&use_regex=true&columns=name')).body).toMatchObject({ filtered_count: 2 });
    expect(((await get('/api/queues/%2F?name=zzz&columns=name')).body as unknown[]).length).toBe(3); // no page: no filter
    expect((await get('/api/queues/%2F?sort=name&sort_reverse=true&columns=name')).body).toEqual([{ name: 'q.b' }, { name: 'q.a' }, { name: 'Q.c' }]);
    expect((await get('/api/queues/%2F?sort=consumers&sort_reverse=true&columns=name,message_stats.publish')).body).toMatchObject([{ name: 'q.a', message_stats: { publish: 0 } }, {}, {}]);
  });

  it("refuses bad paging with RabbitMQ's bodies", async () => {
    expect(await get('/api/queues?page=0')).toMatchObject({ status: 400, body: { error: 'invalid_pagination_parameters', reason: 'Invalid pagination parameters: page number 0, page size undefined' } });
    expect(await get('/api/queues?page=1&page_size=1000')).toMatchObject({ status: 400, body: { reason: 'Invalid pagination parameters: page number 1, page size 1000' } });
    expect(await get('/api/queues?page=x')).toMatchObject({ status: 400, body: { error: 'bad_request', reason: 'Pagination parameters are invalid' } });
    expect(await get('/api/queues?page=9')).toMatchObject({ status: 400, body: { error: 'page_out_of_range', reason: 'Page out of range, page: 9 page size: 100, len: 4' } });
    // RabbitMQ refuses a page only when it starts past the end: the page just after the last is empty.
    expect(await get('/api/queues?page=3&page_size=3')).toMatchObject({ status: 400, body: { reason: 'Page out of range, page: 3 page size: 3, len: 4' } });
    expect(await get('/api/queues?page=2&page_size=4')).toMatchObject({ status: 200, body: { items: [], item_count: 0, page_count: 1 } });
  });
});

describe('the listener option', () => {
  it('is off in an embedded broker unless managementPort is given', async () => {
    const plain = await openBroker();
    try {
      expect(plain.broker.managementPort).toBeUndefined();
      expect(plain.broker.managementApp).toBeUndefined();
      expect(plain.broker.config.managementPort).toBe(false);
    } finally {
      await plain.close();
    }
  });
});

describe('policies and TLS fields in the objects', () => {
  it("shows a queue's policy, operator policy and effective definition, and an exchange's policy", async () => {
    await broker.policies.set('/', 'cap', { pattern: '^q\\.b$', 'apply-to': 'queues', definition: { 'max-length': 5 } });
    await broker.operatorPolicies.set('/', 'op', { pattern: '^q\\.b$', 'apply-to': 'queues', definition: { 'message-ttl': 1000 } });
    await broker.policies.set('/', 'ae', { pattern: '^x\\.t$', 'apply-to': 'exchanges', definition: { 'alternate-exchange': 'amq.fanout' } });
    try {
      expect((await get('/api/queues/%2F/q.b')).body).toMatchObject({ policy: 'cap', operator_policy: 'op', effective_policy_definition: { 'max-length': 5, 'message-ttl': 1000 } });
      expect((await get('/api/queues/%2F/q.a')).body).toMatchObject({ policy: null, operator_policy: null, effective_policy_definition: {} });
      expect((await get('/api/exchanges/%2F/x.t')).body).toMatchObject({ policy: 'ae' });
    } finally {
      await broker.policies.delete('/', 'cap');
      await broker.operatorPolicies.delete('/', 'op');
      await broker.policies.delete('/', 'ae');
    }
  });

  it('says a plain TCP connection is not TLS, with null TLS details', async () => {
    const list = (await get('/api/connections')).body as Record<string, unknown>[];
    const mine = list.find((c) => (c['client_properties'] as Record<string, unknown>)['connection_name'] === 'api-test');
    expect(mine).toMatchObject({ ssl: false, ssl_protocol: null, ssl_cipher: null, peer_cert_subject: null });
  });
});
