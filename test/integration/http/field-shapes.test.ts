import amqp from 'amqplib';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

/*
 * Field-shape differential: the same objects (a queue with arguments, an exchange with an argument, a
 * binding with arguments, a connection, a channel, a consumer) created on Warren and on RabbitMQ, then
 * each object's field names and JSON types compared. Every field Warren shows must be RabbitMQ's, with
 * RabbitMQ's type; every RabbitMQ field Warren leaves out must be in OMITTED (README says why).
 *
 * With MGMT_REFERENCE_URL=http://guest:guest@127.0.0.1:16772 (and MGMT_REFERENCE_AMQP, default
 * amqp://guest:guest@127.0.0.1:6772) it compares against that RabbitMQ live and rewrites the recorded
 * shapes in fixtures/http/rabbitmq-3.10-fields.json; without it, against that recording.
 */

const REFERENCE = process.env['MGMT_REFERENCE_URL'];
const REFERENCE_AMQP = process.env['MGMT_REFERENCE_AMQP'] ?? 'amqp://guest:guest@127.0.0.1:6772';
const FIXTURE = new URL('../../../fixtures/http/rabbitmq-3.10-fields.json', import.meta.url);

type Shape = Record<string, string>;

/** RabbitMQ fields Warren does not show, per object (README, "Management HTTP API", lists why). */
const OMITTED: Record<string, readonly string[]> = {
  queue: [
    'backing_queue_status', 'consumer_capacity', 'consumer_utilisation', 'deliveries', 'garbage_collection', 'head_message_timestamp',
    'idle_since', 'incoming', 'message_bytes', 'message_bytes_paged_out', 'message_bytes_persistent', 'message_bytes_ram',
    'message_bytes_unacknowledged', 'messages_paged_out', 'messages_persistent', 'messages_ram',
    'messages_ready_ram', 'messages_unacknowledged_ram',
    'recoverable_slaves', 'reductions', 'reductions_details',
  ],
  exchange: ['incoming', 'outgoing', 'user_who_performed_action'],
  binding: [],
  connection: [
    'garbage_collection', 'reductions', 'reductions_details', 'user_who_performed_action',
  ],
  channel: [
    'acks_uncommitted', 'garbage_collection', 'idle_since', 'messages_uncommitted', 'messages_unconfirmed', 'pending_raft_commands', 'reductions', 'reductions_details', 'user_who_performed_action'],
  consumer: [],
  overview: [
    'message_stats.disk_reads', 'message_stats.disk_writes', 'contexts', 'erlang_full_version', 'erlang_version', 'release_series_support_status', 'sample_retention_policies',
  ],
  vhost: [],
  user: [],
  whoami: [],
};

/** Counters Warren shows beyond RabbitMQ 3.10's message_stats (README says what they count). */
const EXTRA: Record<string, readonly string[]> = {
  queue: ['message_stats.drop_expired', 'message_stats.drop_maxlen', 'message_stats.drop_rejected', 'message_stats.drop_delivery_limit'],
  overview: ['message_stats.drop_expired', 'message_stats.drop_maxlen', 'message_stats.drop_rejected', 'message_stats.drop_delivery_limit'],
  exchange: ['message_stats.return_unroutable', 'message_stats.drop_unroutable'],
  vhost: ['message_stats.drop_expired', 'message_stats.drop_maxlen', 'message_stats.drop_rejected', 'message_stats.drop_delivery_limit'],
};

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Top-level fields, plus message_stats' counters (`message_stats.publish`), each with its JSON type. */
function shapeOf(obj: Record<string, unknown>): Shape {
  const out: Shape = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, jsonType(v)]));
  const stats = obj['message_stats'];
  if (stats !== null && typeof stats === 'object') {
    for (const [k, v] of Object.entries(stats)) if (!k.endsWith('_details')) out[`message_stats.${k}`] = jsonType(v);
  }
  return out;
}

async function setUp(url: string): Promise<amqp.ChannelModel> {
  const conn = await amqp.connect(url, { clientProperties: { connection_name: 'shape-conn' } });
  const ch = await conn.createChannel();
  await ch.assertExchange('x.shape', 'topic', { durable: false, autoDelete: true, arguments: { 'alternate-exchange': 'amq.fanout' } });
  await ch.assertQueue('q.shape', { durable: false, autoDelete: true, arguments: { 'x-max-length': 100, 'x-message-ttl': 60000 } });
  await ch.bindQueue('q.shape', 'x.shape', 'a.*', { foo: 'bar' });
  await ch.prefetch(5);
  await ch.consume('q.shape', () => undefined, { consumerTag: 'ctag-shape' });
  ch.publish('x.shape', 'a.b', Buffer.from('shape')); // RabbitMQ shows message_stats only after traffic
  return conn;
}

/** One object of each kind, as a broker's management API shows it. */
async function shapes(fetchJson: (path: string) => Promise<unknown>): Promise<Record<string, Shape>> {
  const pick = (list: unknown, test: (o: Record<string, unknown>) => boolean): Record<string, unknown> => {
    const found = (list as Record<string, unknown>[]).find(test);
    if (found === undefined) throw new Error('object not found');
    return found;
  };
  const connection = pick(await fetchJson('/api/connections'), (c) => (c['client_properties'] as Record<string, unknown>)['connection_name'] === 'shape-conn');
  return {
    queue: shapeOf((await fetchJson('/api/queues/%2F/q.shape')) as Record<string, unknown>),
    exchange: shapeOf((await fetchJson('/api/exchanges/%2F/x.shape')) as Record<string, unknown>),
    binding: shapeOf(pick(await fetchJson('/api/bindings/%2F/e/x.shape/q/q.shape'), () => true)),
    connection: shapeOf(connection),
    channel: shapeOf(pick(await fetchJson('/api/channels'), (c) => (c['connection_details'] as Record<string, unknown>)['name'] === connection['name'])),
    consumer: shapeOf(pick(await fetchJson('/api/consumers'), (c) => c['consumer_tag'] === 'ctag-shape')),
    overview: shapeOf((await fetchJson('/api/overview')) as Record<string, unknown>),
    vhost: shapeOf(pick(await fetchJson('/api/vhosts'), (v) => v['name'] === '/')),
    user: shapeOf(pick(await fetchJson('/api/users'), (u) => u['name'] === 'guest')),
    whoami: shapeOf((await fetchJson('/api/whoami')) as Record<string, unknown>),
  };
}

function httpFetcher(base: string): (path: string) => Promise<unknown> {
  const u = new URL(base);
  const auth = 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64');
  return async (path) => {
    const res = await fetch(`${u.protocol}//${u.host}${path}`, { headers: { authorization: auth } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.json();
  };
}

let broker: Broker;
let close: () => Promise<void>;
const conns: amqp.ChannelModel[] = [];
let reference: Record<string, Shape>;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  conns.push(await setUp(broker.url));
  if (REFERENCE !== undefined) {
    conns.push(await setUp(REFERENCE_AMQP));
    // RabbitMQ's stats database shows a new connection, channel and consumer only after its next emission (~5 s).
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        reference = await shapes(httpFetcher(REFERENCE));
        // ...and message_stats only once the publish has been counted.
        if (['queue', 'exchange', 'channel'].every((k) => 'message_stats.publish' in (reference[k] ?? {}) || 'message_stats.publish_in' in (reference[k] ?? {}))) break;
        throw new Error('reference message_stats not emitted yet');
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    writeFileSync(FIXTURE, JSON.stringify(reference, null, 2) + '\n');
  } else {
    reference = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Shape>;
  }
}, 30_000);

afterAll(async () => {
  for (const c of conns) await c.close();
  await close();
});

describe(`field names and JSON types against RabbitMQ 3.10 (${REFERENCE === undefined ? 'recorded' : 'live reference'})`, () => {
  it.each(Object.keys(OMITTED))('%s', async (kind) => {
    const warren = (await shapes(httpFetcher(`http://guest:guest@127.0.0.1:${broker.managementPort}`)))[kind] as Shape;
    const theirs = reference[kind] as Shape;
    // Every field Warren shows is RabbitMQ's, with its type (null stands for "none" on both sides).
    const extra = EXTRA[kind] ?? [];
    const mismatched = Object.entries(warren).filter(([k, t]) => (!(k in theirs) && !extra.includes(k)) || (k in theirs && theirs[k] !== t && theirs[k] !== 'null' && t !== 'null'));
    expect(mismatched, `${kind}: fields Warren shows that RabbitMQ does not, or with another type`).toEqual([]);
    const omitted = OMITTED[kind] as readonly string[];
    // A nested field of an omitted object (vhost message_stats.*) is omitted with it.
    const missing = Object.keys(theirs).filter((k) => !(k in warren) && !omitted.includes(k) && !omitted.includes(k.split('.')[0] as string));
    expect(missing, `${kind}: RabbitMQ fields Warren leaves out without saying so`).toEqual([]);
  });
});
