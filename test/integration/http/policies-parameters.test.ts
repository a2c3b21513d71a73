import { describe, expect, it } from 'vitest';
import { accessTarget, onWarren, tryConnect, waitFor } from './access-target.js';

/*
 * /api/policies, /api/operator-policies, /api/parameters and /api/global-parameters over HTTP; a policy's
 * effect checked on a queue declared over AMQP, as /api/queues shows it. Differential with
 * MGMT_REFERENCE_URL / MGMT_REFERENCE_AMQP as in access-writes.test.ts.
 */
const t = accessTarget();
const enc = encodeURIComponent;
const FULL = { configure: '.*', write: '.*', read: '.*' };

async function newVhost(base: string): Promise<string> {
  const v = t.name(base);
  t.cleanup('vhosts', v);
  expect((await t.http('PUT', `/vhosts/${enc(v)}`, {})).status).toBe(201);
  return v;
}
async function newUser(base: string, tags: string): Promise<string> {
  const u = t.name(base);
  t.cleanup('users', u);
  expect((await t.http('PUT', `/users/${enc(u)}`, { password: 'pw', tags })).status).toBe(201);
  return u;
}
const bad = (reason: string) => ({ status: 400, body: { error: 'bad_request', reason } });

describe('policies', () => {
  it('PUT 201 then 204 (a full replace), GET shapes, applied to a queue; DELETE 204 then 404', async () => {
    const v = await newVhost('pol');
    const path = `/policies/${enc(v)}/limit`;
    expect((await t.http('PUT', path, { pattern: '^p\\.', definition: { 'max-length': 5 }, priority: 1, 'apply-to': 'queues' })).status).toBe(201);
    expect((await t.http('GET', path)).body).toEqual({ vhost: v, name: 'limit', pattern: '^p\\.', 'apply-to': 'queues', definition: { 'max-length': 5 }, priority: 1 });
    expect((await t.http('PUT', path, { pattern: '^p\\.', definition: { 'max-length': 2 } })).status).toBe(204);
    const one = { vhost: v, name: 'limit', pattern: '^p\\.', 'apply-to': 'all', definition: { 'max-length': 2 }, priority: 0 };
    expect((await t.http('GET', path)).body).toEqual(one);
    expect((await t.http('GET', `/policies/${enc(v)}`)).body).toEqual([one]);
    expect((await t.http('GET', '/policies')).body).toContainEqual(one);

    const conn = await tryConnect(t.amqpUrl('guest', 'guest', v));
    if (typeof conn === 'string') throw new Error(conn);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('p.q', { durable: false });
    const q = await waitFor(() => t.http('GET', `/queues/${enc(v)}/p.q`), (r) => (r.body as { policy?: unknown }).policy === 'limit', 'the policy on p.q');
    expect(q.body).toMatchObject({ policy: 'limit', effective_policy_definition: { 'max-length': 2 } });
    for (const m of ['1', '2', '3']) ch.sendToQueue('p.q', Buffer.from(m));
    await ch.waitForConfirms();
    expect((await ch.checkQueue('p.q')).messageCount).toBe(2); // max-length 2, drop-head

    expect((await t.http('DELETE', path)).status).toBe(204);
    expect(await t.http('DELETE', path)).toEqual({ status: 404, body: { error: 'Object Not Found', reason: 'Not Found' } });
    expect((await t.http('GET', path)).status).toBe(404);
    await waitFor(() => t.http('GET', `/queues/${enc(v)}/p.q`), (r) => (r.body as { policy?: unknown }).policy !== 'limit', 'p.q without policy');
    await conn.close();
  });

  it('refuses bad policies with RabbitMQ reasons (escaped as RabbitMQ escapes them) and keeps nothing', async () => {
    const v = await newVhost('polbad');
    const path = `/policies/${enc(v)}/p`;
    expect(await t.http('PUT', path, { pattern: '^a' })).toEqual(bad('[{key_missing,definition}]'));
    expect(await t.http('PUT', path, {})).toEqual(bad('[{key_missing,pattern},{key_missing,definition}]'));
    expect(await t.http('PUT', path, { pattern: '^a', definition: { 'max-length': -1 } })).toEqual(bad('Validation failed\n\n-1 is not a valid maximum length\n'));
    expect(await t.http('PUT', path, { pattern: '^a', definition: { nokey: 1 } })).toEqual(bad('Validation failed\n\n[{&lt;&lt;"nokey"&gt;&gt;,1}] are not recognised policy settings\n'));
    expect(await t.http('PUT', path, { pattern: '^a', definition: { 'max-length': 1 }, priority: 'high' })).toEqual(bad('Validation failed\n\npriority should be a number, actually was &lt;&lt;"high"&gt;&gt;\n'));
    expect(await t.http('PUT', path, { pattern: '^a', definition: {} })).toEqual(bad('Validation failed\n\nno policy provided\n'));
    expect(await t.http('PUT', path, { pattern: 5, definition: { 'max-length': 1 } })).toEqual(bad('Validation failed\n\npattern should be a binary but was 5\n'));
    expect(await t.http('PUT', `/policies/${t.name('nov')}/p`, { pattern: '^a', definition: { 'max-length': 1 } })).toEqual({ status: 404, body: { error: 'not_found', reason: 'vhost_not_found' } });
    expect((await t.http('GET', `/policies/${t.name('nov')}`)).status).toBe(404);
    expect((await t.http('GET', `/policies/${enc(v)}`)).body).toEqual([]);
    if (onWarren) expect((await t.http('PUT', path, { pattern: '^a', definition: [1] })).status).toBe(400); // RabbitMQ 3.10: 500
  });

  it('policymakers write policies in vhosts they may use; management users only read them', async () => {
    const v = await newVhost('polauth');
    const pm = await newUser('pm', 'policymaker');
    const mg = await newUser('mg', 'management');
    const path = `/policies/${enc(v)}/pm`;
    const body = { pattern: '^pm', definition: { 'max-length': 5 } };
    const object = { status: 401, body: { error: 'not_authorised', reason: 'User not authorised to access object' } };
    expect(await t.http('PUT', path, body, `${pm}:pw`)).toEqual(object);
    expect(await t.http('GET', `/policies/${enc(v)}`, undefined, `${pm}:pw`)).toEqual({ status: 401, body: { error: 'not_authorised', reason: 'User not authorised to access virtual host' } });
    for (const u of [pm, mg]) await t.http('PUT', `/permissions/${enc(v)}/${u}`, FULL);
    expect((await t.http('PUT', path, body, `${pm}:pw`)).status).toBe(201);
    expect(await t.http('PUT', path, body, `${mg}:pw`)).toEqual(object);
    expect(((await t.http('GET', `/policies/${enc(v)}`, undefined, `${mg}:pw`)).body as unknown[]).length).toBe(1);
    expect((await t.http('GET', '/policies', undefined, `${mg}:pw`)).body).toContainEqual(expect.objectContaining({ vhost: v, name: 'pm' }));
  });
});

describe('operator policies', () => {
  it('administrators only; their refusals are not escaped', async () => {
    const v = await newVhost('op');
    const pm = await newUser('oppm', 'policymaker');
    await t.http('PUT', `/permissions/${enc(v)}/${pm}`, FULL);
    const path = `/operator-policies/${enc(v)}/cap`;
    expect(await t.http('PUT', path, { pattern: '', definition: { 'max-length': 9 } }, `${pm}:pw`)).toEqual({ status: 401, body: { error: 'not_authorised', reason: 'Not administrator user' } });
    expect(await t.http('PUT', path, { pattern: '', definition: { 'alternate-exchange': 'x' } })).toEqual(bad('Validation failed\n\n[{<<"alternate-exchange">>,<<"x">>}] are not recognised policy settings\n'));
    expect((await t.http('PUT', path, { pattern: '', definition: { 'max-length': 9 }, 'apply-to': 'queues', priority: 3 })).status).toBe(201);
    const one = { vhost: v, name: 'cap', pattern: '', 'apply-to': 'queues', definition: { 'max-length': 9 }, priority: 3 };
    expect((await t.http('GET', path)).body).toEqual(one);
    expect((await t.http('GET', `/operator-policies/${enc(v)}`)).body).toEqual([one]);
    expect((await t.http('DELETE', path)).status).toBe(204);
    expect((await t.http('DELETE', path)).status).toBe(404);
  });
});

describe('parameters', () => {
  it('vhost-limits as a parameter: PUT, GET in every list, refusals, DELETE', async () => {
    const v = await newVhost('par');
    const path = `/parameters/vhost-limits/${enc(v)}/limits`;
    expect((await t.http('GET', path)).status).toBe(404);
    expect((await t.http('PUT', path, { value: { 'max-queues': 5 } })).status).toBe(201);
    const one = { vhost: v, component: 'vhost-limits', name: 'limits', value: { 'max-queues': 5 } };
    expect((await t.http('GET', path)).body).toEqual(one);
    expect((await t.http('GET', `/parameters/vhost-limits/${enc(v)}`)).body).toEqual([one]);
    expect((await t.http('GET', '/parameters/vhost-limits')).body).toContainEqual(one);
    expect((await t.http('GET', '/parameters')).body).toContainEqual(one);
    expect((await t.http('GET', `/vhost-limits/${enc(v)}`)).body).toEqual([{ vhost: v, value: { 'max-queues': 5 } }]);
    expect((await t.http('PUT', path, { value: { 'max-queues': 6 } })).status).toBe(204);
    expect(await t.http('PUT', path, { value: { 'max-bogus': 5 } })).toEqual(bad('Validation failed\n\nUnrecognised terms [{&lt;&lt;"max-bogus"&gt;&gt;,5}] in limits\n'));
    expect(await t.http('PUT', path, {})).toEqual(bad('[{key_missing,value}]'));
    expect(await t.http('PUT', `/parameters/bogus/${enc(v)}/x`, { value: 1 })).toEqual(bad('Validation failed\n\ncomponent bogus not found\n'));
    expect(await t.http('PUT', `/parameters/vhost-limits/${t.name('nov')}/limits`, { value: {} })).toEqual({ status: 404, body: { error: 'not_found', reason: 'vhost_not_found' } });
    expect((await t.http('GET', '/parameters/bogus')).body).toEqual([]);
    expect((await t.http('DELETE', path)).status).toBe(204);
    expect((await t.http('DELETE', path)).status).toBe(404);
    expect((await t.http('GET', `/vhost-limits/${enc(v)}`)).body).toEqual([]);
  });

  it('parameters need policymaker; global parameters list', async () => {
    const mg = await newUser('parmg', 'management');
    const object = { status: 401, body: { error: 'not_authorised', reason: 'User not authorised to access object' } };
    expect(await t.http('GET', '/parameters', undefined, `${mg}:pw`)).toEqual(object);
    expect(await t.http('GET', '/global-parameters', undefined, `${mg}:pw`)).toEqual(object);
    const globals = (await t.http('GET', '/global-parameters')).body as Array<{ name: string }>;
    expect(Array.isArray(globals)).toBe(true);
    if (onWarren) expect(globals.map((g) => g.name)).toEqual(['cluster_name']);
  });
});
