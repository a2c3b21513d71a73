import amqp from 'amqplib';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminJson, adminOk, adminUnavailable, onReference, openTarget, TEST_TIMEOUT, unique, until, type Target } from './admin-target.js';

/*
 * warren-admin's writes (declare, delete, purge, publish, get, import), run as the built bin against
 * Warren or RabbitMQ (ADMIN_REFERENCE_URL); every effect is checked over AMQP with amqplib.
 */

const stale = adminUnavailable();
let t: Target;
let conn: amqp.ChannelModel;

/** A fresh channel: a failed check (404) closes the channel it ran on. */
async function channel(): Promise<amqp.Channel> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  return ch;
}

async function exists(kind: 'queue' | 'exchange', name: string): Promise<boolean> {
  const ch = await channel();
  try {
    if (kind === 'queue') await ch.checkQueue(name);
    else await ch.checkExchange(name);
    await ch.close();
    return true;
  } catch {
    return false;
  }
}

async function depth(queue: string): Promise<number> {
  const ch = await channel();
  const { messageCount } = await ch.checkQueue(queue);
  await ch.close();
  return messageCount;
}

beforeAll(async () => {
  if (stale !== undefined) throw new Error(stale);
  t = await openTarget();
  conn = await amqp.connect(t.amqp);
}, TEST_TIMEOUT);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await t?.close();
});

describe(`warren-admin writes (${onReference ? 'RabbitMQ reference' : 'Warren'})`, () => {
  it('declares a queue, an exchange and a binding that route; deletes them', async () => {
    const q = unique('adm-w-q');
    const x = unique('adm-w-x');
    expect(await adminOk(t, ['declare', 'queue', q, '--arguments', '{"x-max-length":5}'])).toBe('queue declared\n');
    expect(await adminOk(t, ['declare', 'exchange', x, '--type', 'topic', '--no-durable'])).toBe('exchange declared\n');
    expect(await adminOk(t, ['declare', 'binding', '--source', x, '--destination', q, '--routing-key', 'k.*'])).toBe('binding declared\n');
    const ch = await channel();
    // A redeclare with the same arguments passes; another x-max-length would be 406.
    await ch.assertQueue(q, { durable: true, arguments: { 'x-max-length': 5 } });
    ch.publish(x, 'k.1', Buffer.from('routed'));
    await until(async () => ((await depth(q)) === 1 ? true : undefined), 'message not routed');

    // Its properties_key is looked up (RabbitMQ's is `k.*` here; rabbitmqadmin's default `~` would be 404).
    await adminOk(t, ['declare', 'binding', '--source', x, '--destination', q, '--routing-key', 'other']);
    const two = await admin(t, ['delete', 'binding', '--source', x, '--destination', q]);
    expect(two).toMatchObject({ code: 1, stderr: expect.stringContaining('ERROR: 2 bindings match; give --routing-key or --properties-key') });
    expect(await adminOk(t, ['delete', 'binding', '--source', x, '--destination', q, '--routing-key', 'other'])).toBe('binding deleted\n');
    expect(await adminOk(t, ['delete', 'binding', '--source', x, '--destination', q])).toBe('binding deleted\n');
    const after = await adminJson<unknown[]>(t, ['-V', '/', 'list', 'bindings', '--columns', 'source,destination']);
    expect(after).not.toContainEqual({ source: x, destination: q });

    const refused = await admin(t, ['delete', 'queue', q, '--if-empty']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^\*\*\* /);
    expect(await exists('queue', q)).toBe(true);
    await adminOk(t, ['delete', 'queue', q]);
    await adminOk(t, ['delete', 'exchange', x]);
    expect(await exists('queue', q)).toBe(false);
    expect(await exists('exchange', x)).toBe(false);
  }, TEST_TIMEOUT);

  it('declares an exchange-to-exchange binding', async () => {
    const [src, dst, q] = [unique('adm-w-src'), unique('adm-w-dst'), unique('adm-w-q')];
    await adminOk(t, ['declare', 'exchange', src, '--type', 'fanout', '--auto-delete']);
    await adminOk(t, ['declare', 'exchange', dst, '--type', 'direct']);
    await adminOk(t, ['declare', 'queue', q, '--no-durable']);
    await adminOk(t, ['declare', 'binding', '--source', dst, '--destination', q, '--routing-key', 'r']);
    await adminOk(t, ['declare', 'binding', '--source', src, '--destination', dst, '--destination-type', 'exchange', '--routing-key', 'r']);
    const ch = await channel();
    ch.publish(src, 'r', Buffer.from('via e2e'));
    await until(async () => ((await depth(q)) === 1 ? true : undefined), 'message not routed through the e2e binding');
    for (const x of [src, dst]) await adminOk(t, ['delete', 'exchange', x]);
    await adminOk(t, ['delete', 'queue', q]);
  }, TEST_TIMEOUT);

  it('declares a vhost, a user and a permission that let the user in; deletes them', async () => {
    const [vhost, user] = [unique('adm-w-vhost'), unique('adm-w-user')];
    await adminOk(t, ['declare', 'vhost', vhost]);
    await adminOk(t, ['declare', 'user', user, '--user-password', 's3cret', '--tags', 'management']);
    await adminOk(t, ['-V', vhost, 'declare', 'permission', '--user', user, '--configure', '^adm-', '--write', '.*', '--read', '.*']);
    const perms = await adminJson<Record<string, unknown>[]>(t, ['list', 'permissions']);
    expect(perms).toContainEqual(expect.objectContaining({ user, vhost, configure: '^adm-', write: '.*', read: '.*' }));
    const userConn = await amqp.connect(t.amqpAs(user, 's3cret', vhost));
    const uch = await userConn.createChannel();
    await uch.assertQueue('adm-allowed', { durable: false });
    await userConn.close();
    await adminOk(t, ['-V', vhost, 'delete', 'permission', '--user', user]);
    // Without permissions on the vhost, connection.open is refused (530 NOT_ALLOWED).
    await expect(amqp.connect(t.amqpAs(user, 's3cret', vhost))).rejects.toThrow();
    await adminOk(t, ['delete', 'user', user]);
    await adminOk(t, ['delete', 'vhost', vhost]);
    expect(await adminJson<unknown[]>(t, ['list', 'vhosts', '--columns', 'name'])).not.toContainEqual({ name: vhost });
  }, TEST_TIMEOUT);

  it('declares, lists and deletes a policy', async () => {
    const name = unique('adm-w-pol');
    await adminOk(t, ['declare', 'policy', name, '--pattern', `^${name}`, '--definition', '{"max-length":3}', '--priority', '7', '--apply-to', 'queues']);
    const listed = await adminJson<Record<string, unknown>[]>(t, ['-V', '/', 'list', 'policies']);
    expect(listed.find((p) => p['name'] === name)).toMatchObject({ vhost: '/', pattern: `^${name}`, 'apply-to': 'queues', priority: 7, definition: { 'max-length': 3 } });
    await adminOk(t, ['delete', 'policy', name]);
    expect((await adminJson<Record<string, unknown>[]>(t, ['list', 'policies'])).find((p) => p['name'] === name)).toBeUndefined();
  }, TEST_TIMEOUT);

  it('publishes (from --payload and stdin), gets with count, ackmode and encoding, purges', async () => {
    const q = unique('adm-w-msg');
    await adminOk(t, ['declare', 'queue', q, '--no-durable']);
    expect(await adminOk(t, ['publish', '--routing-key', q, '--payload', 'first', '--properties', '{"headers":{"h":"v"},"delivery_mode":2}'])).toBe('Message published\n');
    await adminOk(t, ['publish', '--routing-key', q], Buffer.from([0xff, 0x00, 0x01]));
    expect(await adminOk(t, ['publish', '--routing-key', unique('nowhere'), '--payload', 'x'])).toBe('Message published but NOT routed\n');

    const ch = await channel();
    const got = await until(async () => (await ch.get(q, { noAck: false })) || undefined, 'no message');
    expect(got.content.toString()).toBe('first');
    expect(got.properties.headers).toMatchObject({ h: 'v' });
    expect(got.properties.deliveryMode).toBe(2);
    ch.nack(got, false, true);
    await ch.close();
    await until(async () => ((await depth(q)) === 2 ? true : undefined), 'messages not back');

    const peeked = await adminJson<Record<string, unknown>[]>(t, ['get', q, '--count', '5', '--encoding', 'base64']);
    expect(peeked.map((m) => [m['payload'], m['payload_encoding']])).toEqual([
      [Buffer.from('first').toString('base64'), 'base64'],
      [Buffer.from([0xff, 0x00, 0x01]).toString('base64'), 'base64'],
    ]);
    expect(await depth(q)).toBe(2); // ack_requeue_true: put back
    const table = await adminOk(t, ['get', q]);
    expect(table).toMatch(/\| +routing_key +\| exchange \| message_count \| payload \| payload_bytes \| payload_encoding \| redelivered \|/);
    expect(table).toMatch(new RegExp(`\\| ${q} +\\| +\\| 1 +\\| first +\\| 5 +\\| string +\\| true +\\|`));

    const taken = await adminJson<Record<string, unknown>[]>(t, ['get', q, '--ackmode', 'ack_requeue_false', '--truncate', '3']);
    expect(taken).toEqual([expect.objectContaining({ payload: 'fir', payload_bytes: 5, message_count: 1 })]);
    expect(await depth(q)).toBe(1);

    await adminOk(t, ['publish', '--routing-key', q, '--payload', 'more']);
    expect(await adminOk(t, ['purge', 'queue', q])).toBe('queue purged\n');
    expect(await depth(q)).toBe(0);
    await adminOk(t, ['delete', 'queue', q]);
  }, TEST_TIMEOUT);

  it('imports a definitions file', async () => {
    const [q, x] = [unique('adm-w-imp-q'), unique('adm-w-imp-x')];
    const file = join(tmpdir(), `${unique('adm-import')}.json`);
    writeFileSync(file, JSON.stringify({
      queues: [{ name: q, vhost: '/', durable: true, auto_delete: false, arguments: { 'x-message-ttl': 60000 } }],
      exchanges: [{ name: x, vhost: '/', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} }],
      bindings: [{ source: x, vhost: '/', destination: q, destination_type: 'queue', routing_key: '', arguments: {} }],
    }));
    expect(await adminOk(t, ['import', file])).toBe(`Imported definitions from "${file}" to http://${t.host}:${t.port}\n`);
    const ch = await channel();
    await ch.assertQueue(q, { durable: true, arguments: { 'x-message-ttl': 60000 } });
    ch.publish(x, '', Buffer.from('imported'));
    await until(async () => ((await depth(q)) === 1 ? true : undefined), 'imported binding does not route');
    await adminOk(t, ['delete', 'queue', q]);
    await adminOk(t, ['delete', 'exchange', x]);
  }, TEST_TIMEOUT);

  it("shows a 400's reason: an inequivalent redeclare", async () => {
    const q = unique('adm-w-ineq');
    await adminOk(t, ['declare', 'queue', q]);
    const r = await admin(t, ['declare', 'queue', q, '--no-durable']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: `*** inequivalent arg 'durable' for queue '${q}' in vhost '/': received 'false' but current is 'true'\n` });
    await adminOk(t, ['delete', 'queue', q]);
  }, TEST_TIMEOUT);
});
