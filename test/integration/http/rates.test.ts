import amqp from 'amqplib';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';

/*
 * Rates in the management API (RabbitMQ's `*_details: {rate}`): churn_rates in /api/overview, and the
 * depth rates of queues and queue_totals. Real amqplib traffic against a real broker, read over HTTP
 * (inject for the single-object routes, whose replies go through the response schemas, and the
 * lists). The sampler is driven by hand: statisticsInterval 0 turns its own sampling off, and
 * broker.stats.sample(t) takes a sample at a time the test picks, so the rates are exact.
 */

let broker: Broker;
let close: () => Promise<void>;
const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');

async function get(url: string): Promise<Record<string, unknown>> {
  const res = await broker.managementApp!.inject({ method: 'GET', url, headers: { authorization: GUEST } });
  expect(res.statusCode, url).toBe(200);
  return JSON.parse(res.body) as Record<string, unknown>;
}

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0, statisticsInterval: 0 }));
});

afterAll(async () => {
  await close();
});

type Churn = Record<string, number | { rate: number }>;

describe('churn_rates in /api/overview', () => {
  it('counts connections, channels and queues created and closed, with rates over the sampled interval', async () => {
    const t0 = 1_000_000;
    broker.stats.sample(t0);
    const before = (await get('/api/overview'))['churn_rates'] as Churn;
    // RabbitMQ 3.10's names, all seven with their details (format_rate(connection_churn_rates, ...)).
    expect(Object.keys(before).sort()).toEqual(
      ['channel_closed', 'channel_created', 'connection_closed', 'connection_created', 'queue_created', 'queue_declared', 'queue_deleted']
        .flatMap((k) => [k, `${k}_details`])
        .sort(),
    );

    // A socket that never finishes its handshake counts as closed, not created (as in rabbit_reader).
    const raw = tcpConnect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.destroy();

    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    const spare = await conn.createChannel();
    await spare.close();
    await ch.assertQueue('churn.a', { durable: false });
    await ch.assertQueue('churn.a', { durable: false }); // declared again: not created again
    await ch.checkQueue('churn.a'); // passive: not counted
    await ch.assertQueue('churn.b', { durable: false });
    await ch.deleteQueue('churn.b');
    await ch.assertQueue('churn.x', { exclusive: true }); // deleted with its connection
    await conn.close();
    // The connection's end (and its exclusive queue's) is released after the close handshake.
    await eventually(() => {
      const now = broker.stats.churn();
      return now.connection_closed === (before['connection_closed'] as number) + 2 && now.queue_deleted === (before['queue_deleted'] as number) + 2;
    });

    broker.stats.sample(t0 + 4000);
    const churn = (await get('/api/overview'))['churn_rates'] as Churn;
    const expected = {
      connection_created: 1,
      connection_closed: 2,
      channel_created: 2,
      channel_closed: 2,
      queue_declared: 4,
      queue_created: 3,
      queue_deleted: 2,
    };
    for (const [name, n] of Object.entries(expected)) {
      expect(churn[name], name).toBe((before[name] as number) + n);
      expect(churn[`${name}_details`], name).toEqual({ rate: n / 4 });
    }

    // Nothing happened in the next interval: the rates fall back to 0, the counts stay.
    broker.stats.sample(t0 + 8000);
    const quiet = (await get('/api/overview'))['churn_rates'] as Churn;
    expect(quiet['queue_declared']).toBe(churn['queue_declared']);
    expect(quiet['queue_declared_details']).toEqual({ rate: 0 });
  });
});

describe('queue_deleted', () => {
  it('counts the queues of a deleted vhost', async () => {
    await broker.createVhost('churn-gone');
    await broker.permissions.set({ user: 'guest', vhost: 'churn-gone', configure: '.*', write: '.*', read: '.*' });
    const conn = await amqp.connect(`${broker.url}/churn-gone`);
    const ch = await conn.createChannel();
    for (const name of ['g.1', 'g.2', 'g.3']) await ch.assertQueue(name, { durable: false });
    await ch.deleteQueue('g.3');
    await conn.close();
    const before = broker.stats.churn().queue_deleted;
    await broker.deleteVhost('churn-gone');
    expect(broker.stats.churn().queue_deleted).toBe(before + 2);
    expect(((await get('/api/overview'))['churn_rates'] as Churn)['queue_deleted']).toBe(before + 2);
  });
});

describe('depth rates of queues and queue_totals', () => {
  it('are the change of messages, messages_ready and messages_unacknowledged per second', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('depth.q', { durable: false });
    const t0 = 2_000_000;
    broker.stats.sample(t0);

    for (let i = 0; i < 20; i++) ch.sendToQueue('depth.q', Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    const held: amqp.GetMessage[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await ch.get('depth.q');
      if (m === false) throw new Error('queue empty');
      held.push(m);
    }
    broker.stats.sample(t0 + 5000);

    const rates = (q: Record<string, unknown>) => ({
      messages: q['messages_details'],
      ready: q['messages_ready_details'],
      unacked: q['messages_unacknowledged_details'],
    });
    const q = await get('/api/queues/%2F/depth.q');
    expect([q['messages'], q['messages_ready'], q['messages_unacknowledged']]).toEqual([20, 15, 5]);
    expect(rates(q)).toEqual({ messages: { rate: 4 }, ready: { rate: 3 }, unacked: { rate: 1 } });
    // The list route (JSON.stringify, not the schema) shows the same.
    const listed = ((await get('/api/queues')) as unknown as Record<string, unknown>[]).find((x) => x['name'] === 'depth.q');
    expect(rates(listed as Record<string, unknown>)).toEqual(rates(q));
    const totals = (await get('/api/overview'))['queue_totals'] as Record<string, unknown>;
    expect(rates(totals)).toEqual(rates(q)); // the other queues' depths did not change

    // Draining: negative rates.
    for (const m of held) ch.ack(m);
    await ch.purgeQueue('depth.q');
    broker.stats.sample(t0 + 10_000);
    const drained = await get('/api/queues/%2F/depth.q');
    expect(rates(drained)).toEqual({ messages: { rate: -4 }, ready: { rate: -3 }, unacked: { rate: -1 } });
    await conn.close();
  });
});

describe('connection fields', () => {
  it('show the SASL mechanism of the login (auth_mechanism)', async () => {
    const plain = await amqp.connect(broker.url, { clientProperties: { connection_name: 'mech-plain' } });
    const amqplain = await amqp.connect(broker.url, { credentials: amqp.credentials.amqplain('guest', 'guest'), clientProperties: { connection_name: 'mech-amqplain' } });
    const list = (await get('/api/connections')) as unknown as Record<string, unknown>[];
    const mechanism = (name: string) => list.find((c) => c['user_provided_name'] === name)?.['auth_mechanism'];
    expect([mechanism('mech-plain'), mechanism('mech-amqplain')]).toEqual(['PLAIN', 'AMQPLAIN']);
    const one = list.find((c) => c['user_provided_name'] === 'mech-amqplain') as Record<string, unknown>;
    // The single-object route goes through the response schema, which must keep it.
    expect((await get(`/api/connections/${encodeURIComponent(one['name'] as string)}`))['auth_mechanism']).toBe('AMQPLAIN');
    await plain.close();
    await amqplain.close();
  });

  it('show bytes in and out per second over the sampled interval (recv_oct_details, send_oct_details)', async () => {
    const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'octets' } });
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('octets.q', { durable: false });
    const snapshot = () => broker.readModel.connections().find((c) => c.clientName === 'octets');
    const t0 = 3_000_000;
    const before = snapshot()!;
    broker.stats.sample(t0);
    for (let i = 0; i < 10; i++) ch.sendToQueue('octets.q', Buffer.alloc(1000, 1));
    await ch.waitForConfirms();
    const m = await ch.get('octets.q', { noAck: true }); // 1000 bytes of body back to the client
    expect(m).not.toBe(false);
    const after = snapshot()!;
    broker.stats.sample(t0 + 2000);
    const json = await get(`/api/connections/${encodeURIComponent(after.name)}`);
    expect(after.bytesIn - before.bytesIn).toBeGreaterThan(10_000);
    expect(after.bytesOut - before.bytesOut).toBeGreaterThan(1000);
    expect(json['recv_oct']).toBe(after.bytesIn);
    expect(json['recv_oct_details']).toEqual({ rate: (after.bytesIn - before.bytesIn) / 2 });
    expect(json['send_oct_details']).toEqual({ rate: (after.bytesOut - before.bytesOut) / 2 });
    await conn.close();
  });
});

describe('vhost objects', () => {
  it('carry message_stats, depth rates and bytes of their queues and connections, kept after the connection closes', async () => {
    await broker.createVhost('rates-v');
    await broker.permissions.set({ user: 'guest', vhost: 'rates-v', configure: '.*', write: '.*', read: '.*' });
    const conn = await amqp.connect(`${broker.url}/rates-v`);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('v.q', { durable: false });
    const defaultPublishes = ((await get('/api/vhosts/%2F'))['message_stats'] as Record<string, unknown>)['publish'];
    const t0 = 4_000_000;
    broker.stats.sample(t0);
    for (let i = 0; i < 10; i++) ch.sendToQueue('v.q', Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    for (let i = 0; i < 2; i++) {
      const m = await ch.get('v.q');
      if (m === false) throw new Error('queue empty');
      ch.ack(m);
    }
    await ch.checkQueue('v.q'); // the acks are in before the sample
    broker.stats.sample(t0 + 5000);
    const v = await get('/api/vhosts/rates-v');
    expect(v['message_stats']).toMatchObject({ publish: 10, publish_details: { rate: 2 }, confirm: 10, get: 2, ack: 2, ack_details: { rate: 0.4 }, deliver_get: 2 });
    expect([v['messages'], v['messages_details']]).toEqual([8, { rate: 8 / 5 }]);
    const c = broker.readModel.connections().find((x) => x.vhost === 'rates-v')!;
    expect([v['recv_oct'], v['recv_oct_details']]).toEqual([c.bytesIn, { rate: c.bytesInRate }]);
    expect(c.bytesInRate).toBeGreaterThan(0);
    // The default vhost saw none of it.
    expect((await get('/api/vhosts/%2F'))['message_stats']).toMatchObject({ publish: defaultPublishes });

    await conn.close();
    await eventually(() => broker.readModel.connections().every((x) => x.vhost !== 'rates-v'));
    const after = await get('/api/vhosts/rates-v');
    expect(after['message_stats']).toMatchObject({ publish: 10, confirm: 10, ack: 2 });
    expect(after['recv_oct']).toBe(0); // RabbitMQ's: the bytes of open connections
  });
});

describe('channel message_stats', () => {
  it('count deliveries, gets and acks on the channel, with rates, as RabbitMQ 3.10 shows them', async () => {
    const conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'deliveries' } });
    const ch = await conn.createChannel();
    await ch.assertQueue('ch.q', { durable: false });
    for (let i = 0; i < 6; i++) ch.sendToQueue('ch.q', Buffer.from(`m${i}`));
    await ch.checkQueue('ch.q');
    const t0 = 5_000_000;
    broker.stats.sample(t0);
    const first = await ch.get('ch.q');
    if (first === false) throw new Error('queue empty');
    ch.nack(first, false, true); // back, redelivered next time
    const again = await ch.get('ch.q');
    if (again === false) throw new Error('queue empty');
    ch.ack(again);
    await ch.get('ch.q', { noAck: true });
    const got: amqp.ConsumeMessage[] = [];
    await new Promise<void>((resolve) => {
      void ch.consume('ch.q', (m) => {
        if (m !== null) got.push(m);
        if (got.length === 4) resolve();
      });
    });
    ch.ack(got[3]!, true); // one ack for four deliveries: four acks
    expect(await ch.get('ch.q')).toBe(false); // consumed meanwhile: get-empty
    await ch.checkQueue('ch.q');
    broker.stats.sample(t0 + 2000);
    const c = broker.readModel.connections().find((x) => x.clientName === 'deliveries')!;
    const [json] = (await get(`/api/connections/${encodeURIComponent(c.name)}/channels`)) as unknown as Record<string, unknown>[];
    expect(json!['message_stats']).toMatchObject({
      get: 2,
      get_no_ack: 1,
      get_empty: 1,
      deliver: 4,
      deliver_no_ack: 0,
      redeliver: 1,
      ack: 5,
      deliver_get: 7,
      ack_details: { rate: 2.5 },
      deliver_details: { rate: 2 },
      deliver_get_details: { rate: 3.5 },
    });
    await conn.close();
  });
});
