import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminJson, adminOk, adminUnavailable, onReference, openTarget, TEST_TIMEOUT, unique, until, type Target } from './admin-target.js';

/*
 * warren-admin's Warren-only commands: browse, unacked, redrive, explain (GET .../browse, GET
 * .../unacked, POST .../redrive, POST /api/exchanges/V/E/explain). RabbitMQ has no such routes, so
 * this file runs against Warren only. Effects are checked over AMQP with amqplib.
 */

const stale = adminUnavailable();
let t: Target;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;

beforeAll(async () => {
  if (onReference) return;
  if (stale !== undefined) throw new Error(stale);
  t = await openTarget();
  conn = await amqp.connect(t.amqp);
  ch = await conn.createChannel();
}, TEST_TIMEOUT);

afterAll(async () => {
  await conn?.close().catch(() => undefined);
  await t?.close();
});

describe.skipIf(onReference)('warren-admin browse, unacked, redrive, explain (Warren only: RabbitMQ has no such API)', () => {
  it('browses from a position without consuming, redelivering or reordering', async () => {
    const q = unique('adm-b-q');
    await ch.assertQueue(q, { durable: false });
    for (const body of ['m0', 'm1', 'm2', 'm3']) ch.sendToQueue(q, Buffer.from(body));
    await until(async () => ((await ch.checkQueue(q)).messageCount === 4 ? true : undefined), 'messages not enqueued');
    const page = await adminJson<Record<string, unknown>[]>(t, ['browse', q, '--from', '1', '--count', '2']);
    expect(page.map((m) => [m['position'], m['payload'], m['redelivered']])).toEqual([[1, 'm1', false], [2, 'm2', false]]);
    const table = await adminOk(t, ['browse', q, '--count', '1']);
    expect(table).toMatch(/\| 0 +\| [^|]*\| +\| m0 +\| 2 +\| string +\| false +\|/);
    const first = await ch.get(q, { noAck: true });
    expect(first && [first.content.toString(), first.fields.redelivered]).toEqual(['m0', false]);
    expect((await ch.checkQueue(q)).messageCount).toBe(3);
  }, TEST_TIMEOUT);

  it('lists the unacknowledged deliveries with who holds them', async () => {
    const q = unique('adm-u-q');
    await ch.assertQueue(q, { durable: false });
    ch.sendToQueue(q, Buffer.from('held'));
    const holder = await conn.createChannel();
    const got = new Promise<void>((resolve) => void holder.consume(q, () => resolve(), { consumerTag: 'adm-holder' }));
    await got;
    const unacked = await adminJson<Record<string, unknown>[]>(t, ['unacked', q]);
    expect(unacked).toEqual([expect.objectContaining({ delivery_tag: 1, consumer_tag: 'adm-holder', redelivered: false, channel_details: expect.objectContaining({ number: 2, user: 'guest' }) })]);
    expect(typeof unacked[0]?.['age_ms']).toBe('number');
    await holder.close();
  }, TEST_TIMEOUT);

  it('redrives dead-lettered messages back to their queue', async () => {
    const [q, dlq] = [unique('adm-r-q'), unique('adm-r-dlq')];
    await ch.assertQueue(dlq, { durable: false });
    await ch.assertQueue(q, { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } });
    ch.sendToQueue(q, Buffer.from('bounce'));
    const m = await until(async () => (await ch.get(q)) || undefined, 'no message');
    ch.nack(m, false, false);
    await until(async () => ((await ch.checkQueue(dlq)).messageCount === 1 ? true : undefined), 'not dead-lettered');
    expect(await adminOk(t, ['redrive', dlq])).toBe('1 message moved\n');
    expect((await ch.checkQueue(dlq)).messageCount).toBe(0);
    const back = await until(async () => (await ch.get(q, { noAck: true })) || undefined, 'not redriven');
    expect(back.content.toString()).toBe('bounce');
  }, TEST_TIMEOUT);

  it('explains where a message would go, without publishing it', async () => {
    const [x, q1, q2] = [unique('adm-e-x'), unique('adm-e-q1'), unique('adm-e-q2')];
    await ch.assertExchange(x, 'topic', { durable: false });
    await ch.assertQueue(q1, { durable: false });
    await ch.assertQueue(q2, { durable: false });
    await ch.bindQueue(q1, x, 'a.*');
    await ch.bindQueue(q2, x, 'b.#');
    const answer = await adminJson<{ routed: boolean; queues: unknown[] }>(t, ['explain', x, '--routing-key', 'a.b']);
    expect(answer).toMatchObject({ routed: true, queues: [{ vhost: '/', name: q1 }] });
    expect(await adminOk(t, ['explain', x, '--routing-key', 'c'])).toBe('Not routed\n');
    expect((await ch.checkQueue(q1)).messageCount).toBe(0);
  }, TEST_TIMEOUT);
});
