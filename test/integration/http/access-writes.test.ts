import { describe, expect, it } from 'vitest';
import { accessTarget, onReference, onWarren, tryConnect } from './access-target.js';

/*
 * PUT/DELETE of vhosts, users, permissions, topic permissions and limits, over HTTP, checked through
 * HTTP and AMQP. Differential: MGMT_REFERENCE_URL=http://guest:guest@127.0.0.1:6273
 * MGMT_REFERENCE_AMQP=amqp://guest:guest@127.0.0.1:6272 runs the same against RabbitMQ 3.10
 * (`onWarren` marks Warren's documented deviations, README "Management HTTP API").
 */
const t = accessTarget();
const enc = encodeURIComponent;

async function newVhost(base: string): Promise<string> {
  const v = t.name(base);
  t.cleanup('vhosts', v);
  expect((await t.http('PUT', `/vhosts/${enc(v)}`, {})).status).toBe(201);
  return v;
}
async function newUser(base: string, tags = '', password = 'pw'): Promise<string> {
  const u = t.name(base);
  t.cleanup('users', u);
  expect((await t.http('PUT', `/users/${enc(u)}`, { password, tags })).status).toBe(201);
  return u;
}
const FULL = { configure: '.*', write: '.*', read: '.*' };
/** A refusal of connection.open (vhost access, limits): amqplib shows no code or text for it, with RabbitMQ too. */
const REFUSED_AT_OPEN = /Expected ConnectionOpenOk; got <ConnectionClose/;

describe('vhosts', () => {
  it('PUT creates (201) and updates (204) description and tags; DELETE 204 then 404', async () => {
    const v = t.name('v1');
    t.cleanup('vhosts', v);
    expect(await t.http('PUT', `/vhosts/${v}`, { description: 'd', tags: 'a,b', tracing: false, no_such_field: 1 })).toEqual({ status: 201, body: undefined });
    expect((await t.http('GET', `/vhosts/${v}`)).body).toMatchObject({ name: v, description: 'd', tags: ['a', 'b'], metadata: { description: 'd', tags: ['a', 'b'] } });
    expect((await t.http('PUT', `/vhosts/${v}`, { tags: ['x', ' y '] })).status).toBe(204);
    expect((await t.http('GET', `/vhosts/${v}`)).body).toMatchObject({ description: '', tags: ['x', 'y'] });
    expect((await t.http('DELETE', `/vhosts/${v}`)).status).toBe(204);
    expect(await t.http('DELETE', `/vhosts/${v}`)).toEqual({ status: 404, body: { error: 'Object Not Found', reason: 'Not Found' } });
    expect((await t.http('GET', `/vhosts/${v}`)).status).toBe(404);
  });

  it('refuses bad JSON, a doubly-encoded body and a bad tracing flag, creating nothing', async () => {
    const v = t.name('bad');
    t.cleanup('vhosts', v);
    expect(await t.http('PUT', `/vhosts/${v}`, 'not json')).toEqual({ status: 400, body: { error: 'bad_request', reason: 'not_json' } });
    expect(await t.http('PUT', `/vhosts/${v}`, '[1,2]')).toEqual({ status: 400, body: { error: 'bad_request', reason: 'not_json' } });
    expect(await t.http('PUT', `/vhosts/${v}`, JSON.stringify('{"a":1}'))).toEqual({
      status: 400,
      body: { error: 'bad_request', reason: 'invalid payload: the request body JSON-decoded to a string. Is the input doubly-JSON-encoded?' },
    });
    const tracing = await t.http('PUT', `/vhosts/${v}`, { tracing: 'yes' });
    expect(tracing.status).toBe(400);
    expect(JSON.stringify(tracing.body)).toContain('not_boolean');
    expect((await t.http('GET', `/vhosts/${v}`)).status).toBe(404);
  });

  it('a body over the size limit is 400 with RabbitMQ reason, and nothing is created', async () => {
    const v = t.name('big');
    t.cleanup('vhosts', v);
    const big = JSON.stringify({ description: 'a'.repeat(21_000_000) });
    expect(await t.http('PUT', `/vhosts/${v}`, big)).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Exceeded HTTP request body size limit' } });
    expect((await t.http('GET', `/vhosts/${v}`)).status).toBe(404);
  });

  it('takes path-like names as plain names; refuses NUL (Warren) and wrong types (Warren; RabbitMQ stores them)', async () => {
    const v = `${t.name('p')}/../..`;
    t.cleanup('vhosts', v);
    expect((await t.http('PUT', `/vhosts/${enc(v)}`, {})).status).toBe(201);
    expect((await t.http('GET', `/vhosts/${enc(v)}`)).body).toMatchObject({ name: v });
    if (onWarren) {
      expect(await t.http('PUT', `/vhosts/${enc(t.name('a\u0000b'))}`, {})).toEqual({ status: 400, body: { error: 'bad_request', reason: 'vhost name must not contain NUL' } });
      expect(await t.http('PUT', `/vhosts/${t.name('typed')}`, { description: 5 })).toEqual({ status: 400, body: { error: 'bad_request', reason: 'body/description must be string' } });
      expect((await t.http('GET', `/vhosts/${t.name('typed')}`)).status).toBe(404);
    }
  });

  it('deleting a vhost closes its connections with 320', async () => {
    const v = await newVhost('closing');
    // The creator (guest) was given full permissions on the new vhost, as RabbitMQ gives them.
    expect((await t.http('GET', `/permissions/${enc(v)}/guest`)).body).toEqual({ user: 'guest', vhost: v, ...FULL });
    const conn = await tryConnect(t.amqpUrl('guest', 'guest', v));
    if (typeof conn === 'string') throw new Error(conn);
    const closed = new Promise<Error | undefined>((resolve) => {
      conn.removeAllListeners('error');
      conn.on('error', (err: Error) => resolve(err));
      conn.on('close', (err?: Error) => resolve(err));
    });
    expect((await t.http('DELETE', `/vhosts/${enc(v)}`)).status).toBe(204);
    const err = (await closed) as (Error & { code?: number }) | undefined;
    expect(err?.code).toBe(320);
  });
});

describe('users', () => {
  it('PUT with tags as a string or a list, then the user logs in where permitted; DELETE 204 then 404', async () => {
    const v = await newVhost('uv');
    const u = t.name('u1');
    t.cleanup('users', u);
    expect((await t.http('PUT', `/users/${u}`, { password: 'pw1', tags: 'management, policymaker' })).status).toBe(201);
    expect((await t.http('GET', `/users/${u}`)).body).toMatchObject({ name: u, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['management', 'policymaker'], limits: {} });
    expect((await t.http('PUT', `/users/${u}`, { password: 'pw2', tags: ['monitoring'] })).status).toBe(204);
    expect((await t.http('GET', `/users/${u}`)).body).toMatchObject({ tags: ['monitoring'] });
    expect(await tryConnect(t.amqpUrl(u, 'pw2', v))).toMatch(REFUSED_AT_OPEN); // no permissions yet
    expect((await t.http('PUT', `/permissions/${enc(v)}/${u}`, FULL)).status).toBe(201);
    const conn = await tryConnect(t.amqpUrl(u, 'pw2', v));
    expect(typeof conn).not.toBe('string');
    if (typeof conn !== 'string') await conn.close();
    expect(await tryConnect(t.amqpUrl(u, 'pw1', v))).toMatch(/403|ACCESS_REFUSED/); // the old password no longer works
    expect((await t.http('DELETE', `/users/${u}`)).status).toBe(204);
    expect((await t.http('DELETE', `/users/${u}`)).status).toBe(404);
    expect(await tryConnect(t.amqpUrl(u, 'pw2', v))).toMatch(/403|ACCESS_REFUSED/);
  });

  it('refuses what RabbitMQ refuses, with its reasons', async () => {
    const u = t.name('bad');
    t.cleanup('users', u);
    expect(await t.http('PUT', `/users/${u}`, { password: 'p' })).toEqual({ status: 400, body: { error: 'bad_request', reason: 'tags_not_present' } });
    expect(await t.http('PUT', `/users/${u}`, { password: 'p', password_hash: 'abc', tags: '' })).toEqual({
      status: 400,
      body: { error: 'bad_request', reason: 'both_password_and_password_hash_are_provided' },
    });
    const b64 = await t.http('PUT', `/users/${u}`, { password_hash: 'not base64!', tags: '' });
    expect(b64.status).toBe(400);
    expect(JSON.stringify(b64.body)).toContain('not_base64');
    expect((await t.http('GET', `/users/${u}`)).status).toBe(404);
  });

  it('a user given a password hash logs in with its password', async () => {
    const v = await newVhost('hv');
    const u = t.name('hashed');
    t.cleanup('users', u);
    const { createHash } = await import('node:crypto');
    const salt = Buffer.from([1, 2, 3, 4]);
    const hash = Buffer.concat([salt, createHash('sha256').update(Buffer.concat([salt, Buffer.from('secret')])).digest()]).toString('base64');
    expect((await t.http('PUT', `/users/${u}`, { password_hash: hash, tags: '' })).status).toBe(201);
    expect((await t.http('GET', `/users/${u}`)).body).toMatchObject({ password_hash: hash });
    expect((await t.http('PUT', `/permissions/${enc(v)}/${u}`, FULL)).status).toBe(201);
    const conn = await tryConnect(t.amqpUrl(u, 'secret', v));
    expect(typeof conn).not.toBe('string');
    if (typeof conn !== 'string') await conn.close();
  });

  it('bulk-delete deletes the named users; an unknown name is 400', async () => {
    const a = await newUser('bulk-a');
    const b = await newUser('bulk-b');
    expect(await t.http('POST', '/users/bulk-delete', {})).toEqual({ status: 400, body: { error: 'bad_request', reason: '[{key_missing,users}]' } });
    const unknown = await t.http('POST', '/users/bulk-delete', { users: [t.name('nobody')] });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('no_such_user');
    expect((await t.http('POST', '/users/bulk-delete', { users: [a, b] })).status).toBe(204);
    expect((await t.http('GET', `/users/${a}`)).status).toBe(404);
    expect((await t.http('GET', `/users/${b}`)).status).toBe(404);
  });

  it('without-permissions lists users with no permission anywhere; an administrator may delete itself', async () => {
    const lonely = await newUser('lonely');
    const admin = await newUser('admin', 'administrator');
    const list = (await t.http('GET', '/users/without-permissions')).body as Array<{ name: string }>;
    expect(list.map((u) => u.name)).toContain(lonely);
    expect(list.map((u) => u.name)).not.toContain('guest');
    expect((await t.http('DELETE', `/users/${admin}`, undefined, `${admin}:pw`)).status).toBe(204);
    expect((await t.http('GET', `/users/${admin}`)).status).toBe(404);
  });

  it('only administrators write users, vhosts and permissions', async () => {
    const m = await newUser('mgmt', 'management,policymaker,monitoring');
    const not = { status: 401, body: { error: 'not_authorised', reason: 'Not administrator user' } };
    expect(await t.http('PUT', `/users/${t.name('x')}`, { password: 'p', tags: '' }, `${m}:pw`)).toEqual(not);
    expect(await t.http('PUT', `/vhosts/${t.name('x')}`, {}, `${m}:pw`)).toEqual(not);
    expect(await t.http('PUT', `/permissions/%2F/${m}`, FULL, `${m}:pw`)).toEqual(not);
    expect(await t.http('DELETE', '/users/guest', undefined, `${m}:pw`)).toEqual(not);
  });
});

describe('permissions and topic permissions', () => {
  it('PUT 201/204, refusals with RabbitMQ reasons, DELETE 204 then 404; a cleared permission refuses the login', async () => {
    const v = await newVhost('pv');
    const u = await newUser('pu');
    const path = `/permissions/${enc(v)}/${u}`;
    expect(await t.http('PUT', `/permissions/${enc(v)}/${t.name('nobody')}`, FULL)).toEqual({ status: 400, body: { error: 'bad_request', reason: 'vhost_or_user_not_found' } });
    expect(await t.http('PUT', path, { configure: '.*' })).toEqual({ status: 400, body: { error: 'bad_request', reason: '[{key_missing,write},{key_missing,read}]' } });
    const regex = await t.http('PUT', path, { configure: '[', write: '', read: '' });
    expect(regex.status).toBe(400);
    expect(JSON.stringify(regex.body)).toContain('invalid_regexp');
    expect((await t.http('PUT', path, FULL)).status).toBe(201);
    expect((await t.http('PUT', path, { configure: '', write: '.*', read: '.*' })).status).toBe(204);
    expect((await t.http('GET', path)).body).toEqual({ user: u, vhost: v, configure: '', write: '.*', read: '.*' });
    const conn = await tryConnect(t.amqpUrl(u, 'pw', v));
    if (typeof conn === 'string') throw new Error(conn);
    await conn.close();
    expect((await t.http('DELETE', path)).status).toBe(204);
    expect((await t.http('DELETE', path)).status).toBe(404);
    expect(await tryConnect(t.amqpUrl(u, 'pw', v))).toMatch(REFUSED_AT_OPEN);
  });

  it('topic permissions: PUT per exchange, lists, DELETE one exchange and all; a refused routing key is 403', async () => {
    const v = await newVhost('tv');
    const u = await newUser('tu');
    await t.http('PUT', `/permissions/${enc(v)}/${u}`, FULL);
    const path = `/topic-permissions/${enc(v)}/${u}`;
    expect(await t.http('PUT', path, { write: '^a', read: '.*' })).toEqual({ status: 400, body: { error: 'bad_request', reason: '[{key_missing,exchange}]' } });
    expect((await t.http('PUT', path, { exchange: 'amq.topic', write: '^mine\\.', read: '.*' })).status).toBe(201);
    expect((await t.http('PUT', path, { exchange: 'x2', write: '^b', read: '.*' })).status).toBe(204); // 201 only for the user's first in the vhost
    expect((await t.http('PUT', path, { exchange: 'x2', write: '^c', read: '.*' })).status).toBe(204);
    const mine = ((await t.http('GET', path)).body as Array<Record<string, string>>).sort((a, b) => ((a['exchange'] as string) < (b['exchange'] as string) ? -1 : 1));
    expect(mine).toEqual([
      { user: u, vhost: v, exchange: 'amq.topic', write: '^mine\\.', read: '.*' },
      { user: u, vhost: v, exchange: 'x2', write: '^c', read: '.*' },
    ]);
    expect(((await t.http('GET', `/vhosts/${enc(v)}/topic-permissions`)).body as unknown[]).length).toBe(2);
    expect(((await t.http('GET', `/users/${u}/topic-permissions`)).body as unknown[]).length).toBe(2);
    const conn = await tryConnect(t.amqpUrl(u, 'pw', v));
    if (typeof conn === 'string') throw new Error(conn);
    const ch = await conn.createConfirmChannel();
    ch.publish('amq.topic', 'mine.x', Buffer.from('ok'));
    await ch.waitForConfirms();
    const refused = new Promise<{ code?: number }>((resolve) => ch.once('error', resolve));
    ch.publish('amq.topic', 'theirs.x', Buffer.from('no'));
    expect((await refused).code).toBe(403);
    await conn.close().catch(() => undefined);
    expect((await t.http('DELETE', `${path}/x2`)).status).toBe(204);
    expect(((await t.http('GET', path)).body as unknown[]).length).toBe(1);
    expect((await t.http('DELETE', path)).status).toBe(204);
    expect((await t.http('DELETE', path)).status).toBe(404);
    expect((await t.http('GET', path)).status).toBe(404);
  });
});

describe('limits', () => {
  it('vhost-limits: PUT {value}, its refusals, a connection over the limit refused; DELETE lifts it', async () => {
    const v = await newVhost('lv');
    await t.http('PUT', `/permissions/${enc(v)}/guest`, FULL);
    const path = `/vhost-limits/${enc(v)}`;
    expect(await t.http('PUT', `${path}/max-bogus`, { value: 1 })).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Validation failed\n\nUnrecognised terms [{<<"max-bogus">>,1}] in limits\n' } });
    expect(await t.http('PUT', `${path}/max-queues`, { value: 'x' })).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Validation failed\n\nmax-queues should be a number, actually was <<"x">>\n' } });
    expect(await t.http('PUT', `${path}/max-queues`, {})).toEqual({ status: 400, body: { error: 'bad_request', reason: '[{key_missing,value}]' } });
    expect(await t.http('PUT', `/vhost-limits/${t.name('nov')}/max-queues`, { value: 1 })).toEqual({ status: 404, body: { error: 'not_found', reason: 'vhost_not_found' } });
    expect((await t.http('PUT', `${path}/max-connections`, { value: 1 })).status).toBe(204);
    expect((await t.http('PUT', `${path}/max-queues`, { value: 10 })).status).toBe(204);
    expect((await t.http('GET', path)).body).toEqual([{ vhost: v, value: { 'max-connections': 1, 'max-queues': 10 } }]);
    expect((await t.http('GET', `/parameters/vhost-limits/${enc(v)}/limits`)).body).toEqual({ vhost: v, component: 'vhost-limits', name: 'limits', value: { 'max-connections': 1, 'max-queues': 10 } });
    const first = await tryConnect(t.amqpUrl('guest', 'guest', v));
    if (typeof first === 'string') throw new Error(first);
    expect(await tryConnect(t.amqpUrl('guest', 'guest', v))).toMatch(REFUSED_AT_OPEN);
    expect((await t.http('DELETE', `${path}/max-connections`)).status).toBe(204);
    const second = await tryConnect(t.amqpUrl('guest', 'guest', v));
    expect(typeof second).not.toBe('string');
    for (const c of [first, second]) if (typeof c !== 'string') await c.close();
    expect((await t.http('GET', path)).body).toEqual([{ vhost: v, value: { 'max-queues': 10 } }]);
    expect((await t.http('GET', `${path}/max-queues`)).status).toBe(405); // one limit has PUT and DELETE only
    const res = await fetch(`${t.baseUrl}/api${path}/max-queues`, { method: 'POST' });
    expect([res.status, res.headers.get('allow')]).toEqual([405, 'PUT, DELETE, OPTIONS']);
  });

  it('user-limits: PUT {value}, refusals, GET lists, DELETE', async () => {
    const u = await newUser('lu');
    const path = `/user-limits/${u}`;
    expect(await t.http('PUT', `${path}/max-bogus`, { value: 7 })).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Unrecognised terms [{<<"max-bogus">>,7}] in user-limits' } });
    expect(await t.http('PUT', `${path}/max-channels`, { value: 'x' })).toEqual({ status: 400, body: { error: 'bad_request', reason: 'max-channels should be a number, actually was <<"x">>' } });
    const nouser = await t.http('PUT', `/user-limits/${t.name('nobody')}/max-channels`, { value: 1 });
    expect(nouser.status).toBe(400);
    expect(JSON.stringify(nouser.body)).toContain('no_such_user');
    expect((await t.http('GET', path)).body).toEqual([]);
    expect((await t.http('PUT', `${path}/max-channels`, { value: 7 })).status).toBe(204);
    expect((await t.http('PUT', `${path}/max-connections`, { value: 3 })).status).toBe(204);
    expect((await t.http('GET', path)).body).toEqual([{ user: u, value: { 'max-channels': 7, 'max-connections': 3 } }]);
    expect((await t.http('GET', `/users/${u}`)).body).toMatchObject({ limits: { 'max-channels': 7, 'max-connections': 3 } });
    expect((await t.http('GET', '/user-limits')).body).toContainEqual({ user: u, value: { 'max-channels': 7, 'max-connections': 3 } });
    expect((await t.http('DELETE', `${path}/max-channels`)).status).toBe(204);
    expect((await t.http('GET', path)).body).toEqual([{ user: u, value: { 'max-connections': 3 } }]);
    expect((await t.http('GET', `${path}/max-connections`)).status).toBe(405);
    if (onReference) return;
    expect((await t.http('DELETE', `/user-limits/${t.name('nobody')}/max-channels`)).status).toBe(404); // RabbitMQ 3.10: 500
  });
});
