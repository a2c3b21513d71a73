import amqp from 'amqplib';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminJson, adminOk, adminUnavailable, closedPort, onReference, openTarget, TEST_TIMEOUT, unique, until, type Target } from './admin-target.js';

/*
 * warren-admin's read side, export and close connection, run as the built bin against Warren (or
 * RabbitMQ with ADMIN_REFERENCE_URL, see admin-target.ts). Objects are made over AMQP with amqplib.
 */

const stale = adminUnavailable();
let t: Target;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
const Q = unique('adm-read-q');
const X = unique('adm-read-x');
const CONN_NAME = unique('adm-read-conn');

interface Named {
  readonly name: string;
}

beforeAll(async () => {
  if (stale !== undefined) throw new Error(stale);
  t = await openTarget();
  conn = await amqp.connect(t.amqp, { clientProperties: { connection_name: CONN_NAME } });
  ch = await conn.createChannel();
  await ch.assertExchange(X, 'topic', { durable: true, arguments: { 'alternate-exchange': 'amq.fanout' } });
  await ch.assertQueue(Q, { durable: true, arguments: { 'x-max-length': 100 } });
  await ch.bindQueue(Q, X, 'a.*');
  ch.sendToQueue(Q, Buffer.from('one'));
  await ch.consume(Q, () => undefined, { consumerTag: `${Q}-ctag`, noAck: false });
}, TEST_TIMEOUT);

afterAll(async () => {
  await ch?.deleteQueue(Q).catch(() => undefined);
  await ch?.deleteExchange(X).catch(() => undefined);
  await conn?.close().catch(() => undefined);
  await t?.close();
});

describe(`warren-admin reads (${onReference ? 'RabbitMQ reference' : 'Warren'})`, () => {
  it('lists queues, exchanges and bindings in json, table and tsv, with --columns', async () => {
    const queues = await adminJson<Record<string, unknown>[]>(t, ['list', 'queues', '--columns', 'name,durable,arguments']);
    expect(queues.find((q) => q['name'] === Q)).toEqual({ name: Q, durable: true, arguments: { 'x-max-length': 100 } });

    const table = await adminOk(t, ['list', 'exchanges']);
    expect(table.split('\n')[1]).toMatch(/^\| +vhost +\| +name +\| +type +\|$/);
    expect(table).toMatch(new RegExp(`^\\| / +\\| ${X} +\\| topic +\\|$`, 'm'));

    const tsv = await adminOk(t, ['-q', '-f', 'tsv', '-V', '/', 'list', 'bindings', '--columns', 'source,destination,routing_key']);
    expect(tsv.split('\n')).toContain(`${X}\t${Q}\ta.*`);
    const headed = await adminOk(t, ['-f', 'tsv', 'list', 'bindings', '--columns', 'source,destination']);
    expect(headed.split('\n')[0]).toBe('source\tdestination');
  }, TEST_TIMEOUT);

  it('lists connections, channels and consumers', async () => {
    const named = await until(async () => {
      const conns = await adminJson<Record<string, unknown>[]>(t, ['list', 'connections']);
      return conns.find((c) => (c['client_properties'] as Record<string, unknown> | undefined)?.['connection_name'] === CONN_NAME);
    }, 'connection not listed');
    expect(named).toMatchObject({ user: 'guest', vhost: '/' });
    const channels = await until(async () => {
      const all = await adminJson<Record<string, unknown>[]>(t, ['list', 'channels', '--columns', 'name,connection_details.name,number']);
      const mine = all.filter((c) => (c['connection_details'] as Named | undefined)?.name === named['name']);
      return mine.length > 0 ? mine : undefined;
    }, 'channel not listed');
    expect(channels[0]).toMatchObject({ number: 1 });
    const consumers = await adminJson<Record<string, unknown>[]>(t, ['-V', '/', 'list', 'consumers']);
    expect(consumers.find((c) => c['consumer_tag'] === `${Q}-ctag`)).toMatchObject({ queue: { name: Q, vhost: '/' }, ack_required: true });
    const table = await adminOk(t, ['list', 'consumers']);
    expect(table).toMatch(new RegExp(`\\| / +\\| ${Q} +\\| ${Q}-ctag +\\|`));
  }, TEST_TIMEOUT);

  it('lists users, vhosts, permissions, nodes and the overview', async () => {
    expect(await adminJson<Named[]>(t, ['list', 'users'])).toContainEqual(expect.objectContaining({ name: 'guest' }));
    expect(await adminJson<Named[]>(t, ['list', 'vhosts', '--columns', 'name'])).toContainEqual({ name: '/' });
    expect(await adminJson(t, ['list', 'permissions'])).toContainEqual(expect.objectContaining({ user: 'guest', vhost: '/', configure: '.*' }));
    const nodes = await adminJson<Named[]>(t, ['list', 'nodes', '--columns', 'name']);
    expect(nodes).toHaveLength(1);
    const overview = await adminOk(t, ['list', 'overview']);
    expect(overview).toMatch(/\| rabbitmq_version \| +cluster_name +\| queue_totals\.messages \| object_totals\.queues \|/);
    expect(overview).toMatch(/^\| 3\.\d+\.\d+ /m);
  }, TEST_TIMEOUT);

  it('exports the definitions, whole and of one vhost', async () => {
    const file = join(tmpdir(), `${unique('adm-export')}.json`);
    const out = await adminOk(t, ['export', file]);
    expect(out).toBe(`Exported definitions for http://${t.host}:${t.port} to "${file}"\n`);
    const whole = JSON.parse(readFileSync(file, 'utf8')) as { queues: Record<string, unknown>[]; exchanges: Named[]; bindings: Record<string, unknown>[]; users: Named[] };
    expect(whole.queues).toContainEqual(expect.objectContaining({ name: Q, vhost: '/', durable: true, arguments: { 'x-max-length': 100 } }));
    expect(whole.exchanges).toContainEqual(expect.objectContaining({ name: X, type: 'topic' }));
    expect(whole.bindings).toContainEqual(expect.objectContaining({ source: X, destination: Q, routing_key: 'a.*' }));
    expect(whole.users).toContainEqual(expect.objectContaining({ name: 'guest' }));
    const perVhost = JSON.parse(await adminOk(t, ['-V', '/', 'export', '-'])) as Record<string, unknown>;
    expect(perVhost['users']).toBeUndefined();
    expect(perVhost['queues']).toContainEqual(expect.objectContaining({ name: Q }));
  }, TEST_TIMEOUT);

  it('closes a connection with the reason given', async () => {
    const victim = await amqp.connect(t.amqp, { clientProperties: { connection_name: `${CONN_NAME}-victim` } });
    const closed = new Promise<Error>((resolve) => victim.on('close', (err: Error) => resolve(err)));
    victim.on('error', () => undefined);
    const name = await until(async () => {
      const conns = await adminJson<(Named & { client_properties?: Record<string, unknown> })[]>(t, ['list', 'connections']);
      return conns.find((c) => c.client_properties?.['connection_name'] === `${CONN_NAME}-victim`)?.name;
    }, 'victim connection not listed');
    expect(await adminOk(t, ['close', 'connection', name, '--reason', 'maintenance window'])).toBe('connection closed\n');
    const err = (await closed) as Error & { code?: number };
    expect(err.code).toBe(320);
    expect(err.message).toContain('CONNECTION_FORCED - maintenance window');
  }, TEST_TIMEOUT);
});

describe(`warren-admin errors (${onReference ? 'RabbitMQ reference' : 'Warren'})`, () => {
  it("shows the API's refusals as rabbitmqadmin does, exit 1", async () => {
    const missing = await admin(t, ['-V', 'no-such-vhost', 'list', 'queues']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: '*** Not found: /api/queues/no-such-vhost\n' });
    const bad = await admin(t, ['-V', 'no-such-vhost', 'export', '-']);
    expect(bad).toEqual({ code: 1, stdout: '', stderr: '*** vhost_not_found\n' });
    const refused = await admin(t, ['-p', 'wrong-password', 'list', 'queues']);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: '*** Access refused: /api/queues: Login failed\n' });
  }, TEST_TIMEOUT);

  it('says in one line that nothing listens, exit 2', async () => {
    const port = await closedPort();
    const r = await admin({ ...t, host: '127.0.0.1', port }, ['list', 'queues']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`*** Could not connect to http://127.0.0.1:${port}: ECONNREFUSED 127.0.0.1:${port}\n`);
  }, TEST_TIMEOUT);

  it('refuses a bad command line before calling the API', async () => {
    const r = await admin(t, ['list', 'bananas']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: Don't know how to list bananas; one of: queues, exchanges");
    const json = await admin(t, ['declare', 'queue', 'x', '--arguments', '{nope']);
    expect(json).toMatchObject({ code: 1, stderr: expect.stringContaining('--arguments: could not parse JSON: {nope') });
  }, TEST_TIMEOUT);
});
