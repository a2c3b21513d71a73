import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { assertReferenceTopology, canonical, FIXTURE } from '../../helpers/definitions-reference.js';
import { accessTarget, onReference } from './access-target.js';

/*
 * GET and POST /api/definitions[/{vhost}] over HTTP. The import is of a real RabbitMQ 3.10 export,
 * posted unchanged: with MGMT_REFERENCE_URL set, one that reference makes in this run
 * (fixtures/definitions/make-rabbitmq-export.sh builds users, vhosts, permissions, policies, every
 * exchange type, arguments and e2e bindings there), otherwise the checked-in fixture. The refusals
 * run against the target of access-target.ts (Warren, or that RabbitMQ).
 */
const t = accessTarget();
const REFERENCE = process.env['MGMT_REFERENCE_URL'];
const script = fileURLToPath(new URL('../../../fixtures/definitions/make-rabbitmq-export.sh', import.meta.url));
const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');

let warren: Broker;
let closeWarren: () => Promise<void>;
beforeAll(async () => {
  ({ broker: warren, close: closeWarren } = await openBroker({ managementPort: 0 }));
});
afterAll(async () => closeWarren());

async function post(b: Broker, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${b.managementPort as number}/api${path}`, { method: 'POST', headers: { authorization: GUEST, 'content-type': contentType }, body });
  return { status: res.status, text: await res.text() };
}
async function get(b: Broker, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${b.managementPort as number}/api${path}`, { headers: { authorization: GUEST } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

function rabbitExportText(): string {
  if (REFERENCE === undefined) return readFileSync(FIXTURE, 'utf8');
  const u = new URL(REFERENCE);
  return execFileSync(script, [u.origin], { encoding: 'utf8', env: { ...process.env, REFERENCE_AUTH: `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` } });
}

describe('POST /api/definitions with a RabbitMQ 3.10 export', () => {
  it(`imports ${onReference ? 'the reference\'s export made now' : 'the checked-in export'} unchanged: users log in, permissions refuse, bindings route`, async () => {
    const text = rabbitExportText();
    expect(JSON.parse(text)).toHaveProperty('rabbit_version');
    expect(await post(warren, '/definitions', text)).toEqual({ status: 204, text: '' });
    await assertReferenceTopology(warren);
    // The policies came over and apply.
    expect(warren.policies.get('/', 'ttl')).toMatchObject({ pattern: '^ttl\\.', 'apply-to': 'queues', priority: 1, definition: { 'message-ttl': 60000 } });
  }, 120_000);

  it('exports what it imported in RabbitMQ format; a second Warren imports that export to the same state', async () => {
    const exported = await get(warren, '/definitions');
    for (const key of ['users', 'vhosts', 'permissions', 'topic_permissions', 'parameters', 'policies', 'queues', 'exchanges', 'bindings']) expect(exported).toHaveProperty(key);
    const { broker: second, close } = await openBroker({ managementPort: 0 });
    try {
      expect((await post(second, '/definitions', JSON.stringify(exported))).status).toBe(204);
      const again = await get(second, '/definitions');
      expect(canonical({ ...again, rabbit_version: '', rabbitmq_version: '' })).toEqual(canonical({ ...exported, rabbit_version: '', rabbitmq_version: '' }));
      await assertReferenceTopology(second);
    } finally {
      await close();
    }
  }, 120_000);

  it('per vhost: GET /api/definitions/dev, POST it into another vhost; the UI upload form works too', async () => {
    const dev = await get(warren, '/definitions/dev');
    expect(dev).not.toHaveProperty('users');
    expect(dev['queues']).toContainEqual(expect.objectContaining({ name: 'dev-q' }));
    await warren.createVhost('copy');
    expect((await post(warren, '/definitions/copy', JSON.stringify(dev))).status).toBe(204);
    expect(warren.readModel.queue('copy', 'dev-q')?.durable).toBe(true);
    const boundary = '----warrenform';
    const doc = JSON.stringify({ queues: [{ name: 'uploaded', vhost: '/', durable: true, auto_delete: false, arguments: {} }] });
    const form = [`--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="defs.json"', 'Content-Type: application/json', '', doc, `--${boundary}--`, ''].join('\r\n');
    expect((await post(warren, '/definitions', form, `multipart/form-data; boundary=${boundary}`)).status).toBe(204);
    expect(warren.readModel.queue('/', 'uploaded')).toBeDefined();
  });

  it('a document that cannot be imported whole changes nothing (Warren; RabbitMQ keeps what came before the error)', async () => {
    const doc = { users: [{ name: 'half', password_hash: '', tags: [] }], queues: [{ name: 'q', vhost: 'nowhere', durable: true, auto_delete: false, arguments: {} }] };
    const res = await post(warren, '/definitions', JSON.stringify(doc));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'bad_request' });
    expect(warren.users.get('half')).toBeUndefined();
  });
});

describe('definitions refusals, as RabbitMQ 3.10 answers them', () => {
  it('unknown vhost, text that is not JSON, a user without administrator', async () => {
    const nov = t.name('nov');
    expect(await t.http('GET', `/definitions/${nov}`)).toEqual({ status: 400, body: { error: 'bad_request', reason: 'vhost_not_found' } });
    expect(await t.http('POST', `/definitions/${nov}`, {})).toEqual({ status: 404, body: { error: 'not_found', reason: 'vhost_not_found' } });
    expect(await t.http('POST', '/definitions', 'garbage')).toEqual({ status: 400, body: { error: 'bad_request', reason: 'failed_to_parse_json' } });
    expect(await t.http('POST', '/definitions', '[1]')).toEqual({ status: 400, body: { error: 'bad_request', reason: 'failed_to_parse_json' } });
    expect((await t.http('POST', '/definitions', { no_such_key: [1] })).status).toBe(204);
    const u = t.name('defmg');
    t.cleanup('users', u);
    await t.http('PUT', `/users/${u}`, { password: 'pw', tags: 'management,policymaker,monitoring' });
    const not = { status: 401, body: { error: 'not_authorised', reason: 'Not administrator user' } };
    expect(await t.http('GET', '/definitions', undefined, `${u}:pw`)).toEqual(not);
    expect(await t.http('POST', '/definitions', {}, `${u}:pw`)).toEqual(not);
  });
});
