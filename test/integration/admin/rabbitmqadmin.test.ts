import amqp from 'amqplib';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminUnavailable, findRabbitmqadmin, onReference, openTarget, run, TEST_TIMEOUT, unique, until, type Run, type Target } from './admin-target.js';

/*
 * Debian's rabbitmqadmin (3.10's Python script from rabbitmq-server) against Warren, or against
 * RabbitMQ with ADMIN_REFERENCE_URL: its common commands, each effect checked over AMQP with amqplib.
 * What it needs of the API: no /api/overview call before other commands (only `show overview` reads
 * it); lists are GET /api/KIND[/VHOST]?columns=...; a 400's JSON `reason`; publish reads `routed`;
 * declare sends booleans and get's count as strings ("true", "1") with `vhost` in the body.
 */

const found = findRabbitmqadmin();
const python = spawnSync('python3', ['-c', 'import json, http.client, urllib.parse'], { encoding: 'utf8' });
const missing = 'missing' in found ? found.missing : python.status !== 0 ? `python3 cannot run rabbitmqadmin: ${python.error?.message ?? python.stderr}` : undefined;
if (missing !== undefined) console.warn(`rabbitmqadmin tests skipped: ${missing}`);

let t: Target;
let conn: amqp.ChannelModel;

function rabbitmqadmin(args: readonly string[]): Promise<Run> {
  const script = 'script' in found ? found.script : '';
  return run('python3', [script, '-H', t.host, '-P', String(t.port), '-u', t.username, '-p', t.password, ...args]);
}

async function ok(args: readonly string[]): Promise<string> {
  const r = await rabbitmqadmin(args);
  if (r.code !== 0) throw new Error(`rabbitmqadmin ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function depth(queue: string): Promise<number> {
  const ch = await conn.createChannel();
  const { messageCount } = await ch.checkQueue(queue);
  await ch.close();
  return messageCount;
}

beforeAll(async () => {
  if (missing !== undefined) return;
  t = await openTarget();
  conn = await amqp.connect(t.amqp, { clientProperties: { connection_name: 'rabbitmqadmin-test' } });
}, TEST_TIMEOUT);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await t?.close();
});

describe.skipIf(missing !== undefined)(`Debian's rabbitmqadmin (${onReference ? 'RabbitMQ reference' : 'Warren'})`, () => {
  it('lists queues, exchanges, bindings, connections, users, vhosts, nodes, permissions and the overview', async () => {
    const [q, x] = [unique('rmqa-l-q'), unique('rmqa-l-x')];
    const ch = await conn.createChannel();
    await ch.assertExchange(x, 'fanout', { durable: false });
    await ch.assertQueue(q, { durable: false });
    await ch.bindQueue(q, x, 'rk');
    ch.sendToQueue(q, Buffer.from('counted'));
    // The table, as users see it: rabbitmqadmin's own default columns.
    const queues = await until(async () => {
      const out = await ok(['list', 'queues']);
      return new RegExp(`^\\| ${q} +\\| 1 +\\|$`, 'm').test(out) ? out : undefined;
    }, 'queue with its message count not in the table');
    expect(queues.split('\n')[1]).toMatch(/^\| +name +\| messages \|$/);
    expect(await ok(['list', 'exchanges'])).toMatch(new RegExp(`^\\| ${x} +\\| fanout +\\|$`, 'm'));
    expect(await ok(['-V', '/', 'list', 'bindings'])).toMatch(new RegExp(`^\\| ${x} +\\| ${q} +\\| rk +\\|$`, 'm'));
    const conns = await until(async () => {
      const list = JSON.parse(await ok(['-f', 'raw_json', 'list', 'connections'])) as { user: string; channels: number }[];
      return list.length > 0 ? list : undefined;
    }, 'no connection listed');
    expect(conns[0]).toMatchObject({ user: 'guest' });
    expect(await ok(['list', 'connections'])).toMatch(/^\| +name +\| user  \| channels \|$/m);
    expect(await ok(['list', 'users'])).toMatch(/^\| guest +\| rabbit_password_hashing_sha256 +\| \S+ +\| administrator +\|$/m);
    expect(await ok(['list', 'vhosts'])).toMatch(/^\| \/ +\| \d+ +\|$/m);
    expect(await ok(['show', 'overview'])).toMatch(/^\| 3\.\d+\.\d+ +\| /m);
    expect(await ok(['list', 'nodes'])).toMatch(/^\| +name +\| type \| +mem_used +\|$/m);
    expect(await ok(['list', 'permissions'])).toMatch(/^\| \/ +\| \.\* +\| \.\* +\| guest +\| \.\* +\|$/m);
    await ch.deleteQueue(q);
    await ch.deleteExchange(x);
    await ch.close();
  }, TEST_TIMEOUT);

  it('declares a queue, an exchange and a binding, publishes, gets, deletes', async () => {
    const [q, x] = [unique('rmqa-d-q'), unique('rmqa-d-x')];
    await ok(['declare', 'queue', `name=${q}`, 'durable=false', 'arguments={"x-max-length":10}']);
    await ok(['declare', 'exchange', `name=${x}`, 'type=direct']);
    await ok(['declare', 'binding', `source=${x}`, `destination=${q}`, 'routing_key=rk']);
    const ch = await conn.createChannel();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-max-length': 10 } });
    await ch.close();
    expect(await ok(['publish', `exchange=${x}`, 'routing_key=rk', 'payload=hello'])).toBe('Message published\n');
    expect(await ok(['publish', `exchange=${x}`, 'routing_key=nowhere', 'payload=lost'])).toBe('Message published but NOT routed\n');
    await until(async () => ((await depth(q)) === 1 ? true : undefined), 'published message not in the queue');
    const got = JSON.parse(await ok(['-f', 'raw_json', 'get', `queue=${q}`, 'ackmode=ack_requeue_false'])) as Record<string, unknown>[];
    expect(got).toEqual([expect.objectContaining({ payload: 'hello', routing_key: 'rk', exchange: x, message_count: 0, redelivered: false })]);
    expect(await depth(q)).toBe(0);
    await ok(['delete', 'binding', `source=${x}`, 'destination_type=queue', `destination=${q}`, 'properties_key=rk']);
    expect(await ok(['publish', `exchange=${x}`, 'routing_key=rk', 'payload=unbound'])).toBe('Message published but NOT routed\n');
    await ok(['delete', 'queue', `name=${q}`]);
    await ok(['delete', 'exchange', `name=${x}`]);
    const check = await conn.createChannel();
    check.on('error', () => undefined);
    await expect(check.checkQueue(q)).rejects.toThrow(/404/);
  }, TEST_TIMEOUT);

  it('exports definitions', async () => {
    const q = unique('rmqa-e-q');
    const ch = await conn.createChannel();
    await ch.assertQueue(q, { durable: true, arguments: { 'x-message-ttl': 1000 } });
    const file = join(tmpdir(), `${unique('rmqa-export')}.json`);
    await ok(['export', file]);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { queues: Record<string, unknown>[] };
    expect(exported.queues).toContainEqual(expect.objectContaining({ name: q, vhost: '/', durable: true, arguments: { 'x-message-ttl': 1000 } }));
    await ok(['-V', '/', 'export', file]);
    const perVhost = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(perVhost['queues']).toContainEqual(expect.objectContaining({ name: q, durable: true }));
    expect(perVhost['users']).toBeUndefined();
    await ch.deleteQueue(q);
    await ch.close();
  }, TEST_TIMEOUT);

  it('imports definitions', async () => {
    const file = join(tmpdir(), `${unique('rmqa-import')}.json`);
    const imported = unique('rmqa-i-q');
    writeFileSync(file, JSON.stringify({ queues: [{ name: imported, vhost: '/', durable: true, auto_delete: false, arguments: {} }] }));
    await ok(['import', file]);
    expect(await depth(imported)).toBe(0);
    await ok(['delete', 'queue', `name=${imported}`]);
  }, TEST_TIMEOUT);

  it('prints the same table as warren-admin', async () => {
    expect(adminUnavailable()).toBeUndefined();
    const [theirs, ours] = await Promise.all([ok(['list', 'users', 'name', 'tags']), admin(t, ['list', 'users', '--columns', 'name,tags'])]);
    expect(ours).toEqual({ code: 0, stdout: theirs, stderr: '' });
  }, TEST_TIMEOUT);

  it("shows Warren's refusals as it shows RabbitMQ's", async () => {
    const r = await rabbitmqadmin(['-V', 'no-such-vhost', 'list', 'queues']);
    expect(r).toMatchObject({ code: 1, stderr: '*** Not found: /api/queues/no-such-vhost?columns=name,messages\n\n' });
  }, TEST_TIMEOUT);
});
