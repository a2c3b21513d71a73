/**
 * The Prometheus listener over real HTTP, with amqplib traffic on a real broker: rabbitmq_prometheus's
 * series and labels are there, their values move with the traffic, and promtool accepts every endpoint.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker, withBroker } from '../../helpers/broker.js';
import { promtoolCheck, scrape, value, type Scrape } from './support.js';

const AMQP091 = { protocol: 'amqp091' };

let broker: Broker;
let close: () => Promise<void>;
let base: string;

/** The broker's AMQP URL for another vhost. */
const vhostUrl = (vhost: string): string => {
  const u = new URL(broker.url);
  u.pathname = `/${encodeURIComponent(vhost)}`;
  return u.toString();
};

beforeAll(async () => {
  ({ broker, close } = await openBroker({ prometheusPort: 0, nodeName: 'warren@metrics-test' }));
  base = `http://127.0.0.1:${broker.prometheusPort as number}`;
  await broker.createVhost('other');
  await broker.permissions.set({ user: 'guest', vhost: 'other', configure: '.*', write: '.*', read: '.*' });
});
afterAll(async () => close());

describe('the listener', () => {
  it('is off in an embedded broker unless prometheusPort is given', async () => {
    await withBroker(async (b) => expect(b.prometheusPort).toBeUndefined());
  });

  it('a port in use stops the start with the listener error, and the broker stops what it had started', async () => {
    const port = broker.prometheusPort as number;
    await expect(withBroker(async () => undefined, { prometheusPort: port, managementPort: 0 })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: address already in use`);
  });

  it('serves the text format on the three paths, 404 elsewhere, 405 for a POST', async () => {
    for (const path of ['/metrics', '/metrics/per-object', '/metrics/detailed']) {
      expect((await scrape(base, path)).contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    }
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('identifies the node as every RabbitMQ-Overview panel joins on it', async () => {
    const s = await scrape(base);
    expect(s.types.get('rabbitmq_identity_info')).toBe('untyped');
    const identity = s.samples.find((x) => x.name === 'rabbitmq_identity_info');
    expect(identity?.labels).toMatchObject({ rabbitmq_node: 'warren@metrics-test', rabbitmq_cluster: 'warren@metrics-test', rabbitmq_endpoint: 'aggregated' });
    expect(identity?.labels['rabbitmq_cluster_permanent_id']).toMatch(/^rabbitmq-cluster-id-[\w-]{22}$/);
    expect(s.samples.find((x) => x.name === 'rabbitmq_build_info')?.labels).toMatchObject({ rabbitmq_version: '3.10.8', product_name: 'Warren' });
    expect((await scrape(base, '/metrics/per-object')).samples.find((x) => x.name === 'rabbitmq_identity_info')?.labels['rabbitmq_endpoint']).toBe('per-object');
  });
});

describe('values move with traffic', () => {
  it('publishes, confirms, unroutables, gets, deliveries and acks count in the global, channel and churn families', async () => {
    const before = await scrape(base);
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('orders', { durable: true });
    for (let i = 0; i < 3; i++) ch.sendToQueue('orders', Buffer.alloc(500), { persistent: true });
    ch.publish('amq.direct', 'nowhere', Buffer.alloc(50));
    const returned = new Promise((resolve) => ch.once('return', resolve));
    ch.publish('amq.direct', 'nowhere', Buffer.alloc(50), { mandatory: true });
    await ch.waitForConfirms();
    await returned;
    const got = await ch.get('orders', { noAck: false });
    expect(got).not.toBe(false);
    const during = await scrape(base);
    expect(value(during, 'rabbitmq_connections')).toBe(value(before, 'rabbitmq_connections') + 1);
    expect(value(during, 'rabbitmq_channels')).toBe(value(before, 'rabbitmq_channels') + 1);
    expect(value(during, 'rabbitmq_global_publishers', AMQP091)).toBe(1);
    expect(value(during, 'rabbitmq_queue_messages_ready')).toBe(2);
    expect(value(during, 'rabbitmq_queue_messages_unacked')).toBe(1);
    expect(value(during, 'rabbitmq_queue_messages')).toBe(3);
    if (got !== false) ch.ack(got);
    await ch.consume('orders', () => undefined, { noAck: true });
    await new Promise((r) => setTimeout(r, 50));
    const after = await scrape(base);
    const delta = (name: string, labels: Record<string, string> = {}): number => value(after, name, labels) - value(before, name, labels);
    expect(delta('rabbitmq_global_messages_received_total', AMQP091)).toBe(5);
    expect(delta('rabbitmq_global_messages_received_confirm_total', AMQP091)).toBe(5);
    expect(delta('rabbitmq_global_messages_routed_total', AMQP091)).toBe(3);
    expect(delta('rabbitmq_global_messages_unroutable_dropped_total', AMQP091)).toBe(1);
    expect(delta('rabbitmq_global_messages_unroutable_returned_total', AMQP091)).toBe(1);
    expect(delta('rabbitmq_global_messages_confirmed_total', AMQP091)).toBe(5);
    const classic = { protocol: 'amqp091', queue_type: 'rabbit_classic_queue' };
    expect(delta('rabbitmq_global_messages_delivered_get_manual_ack_total', classic)).toBe(1);
    expect(delta('rabbitmq_global_messages_delivered_consume_auto_ack_total', classic)).toBe(2);
    expect(delta('rabbitmq_global_messages_delivered_total', classic)).toBe(3);
    expect(delta('rabbitmq_global_messages_acknowledged_total', classic)).toBe(1);
    expect(value(after, 'rabbitmq_global_consumers', AMQP091)).toBe(1);
    expect(value(after, 'rabbitmq_consumers')).toBe(1);
    expect(delta('rabbitmq_channel_messages_published_total')).toBe(5);
    expect(delta('rabbitmq_channel_messages_confirmed_total')).toBe(5);
    expect(delta('rabbitmq_channel_get_ack_total')).toBe(1);
    expect(delta('rabbitmq_channel_messages_delivered_total')).toBe(2);
    expect(delta('rabbitmq_queues_declared_total')).toBe(1);
    expect(delta('rabbitmq_queues_created_total')).toBe(1);
    expect(delta('rabbitmq_connections_opened_total')).toBe(1);
    expect(delta('rabbitmq_channels_opened_total')).toBe(1);
    // rabbitmq_message_size_bytes: three 500-byte bodies and two of 50 bytes.
    expect(delta('rabbitmq_message_size_bytes_bucket', { ...AMQP091, le: '100' })).toBe(2);
    expect(delta('rabbitmq_message_size_bytes_bucket', { ...AMQP091, le: '1000' })).toBe(5);
    expect(delta('rabbitmq_message_size_bytes_sum', AMQP091)).toBe(1600);
    expect(delta('rabbitmq_message_size_bytes_count', AMQP091)).toBe(5);
    // The persistent messages on a durable queue were fsynced before their confirms.
    expect(delta('warren_fsync_duration_seconds_count')).toBeGreaterThan(0);
    await conn.close();
    await eventually(() => broker.connectionCount() === 0);
    const closed = await scrape(base);
    expect(value(closed, 'rabbitmq_connections_closed_total') - value(before, 'rabbitmq_connections_closed_total')).toBe(1);
    expect(value(closed, 'rabbitmq_global_messages_received_total', AMQP091)).toBe(value(after, 'rabbitmq_global_messages_received_total', AMQP091)); // never goes down
    await broker.readModel.deleteQueue('/', 'orders');
    expect(value(await scrape(base), 'rabbitmq_queues_deleted_total') - value(before, 'rabbitmq_queues_deleted_total')).toBe(1);
  });

  it('per-object: one sample per {vhost, queue}, and rabbitmq_queue_info', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertQueue('po-a');
    ch.sendToQueue('po-a', Buffer.from('x'));
    ch.sendToQueue('po-a', Buffer.from('y'));
    const other = await amqp.connect(vhostUrl('other'));
    const och = await other.createChannel();
    await och.assertQueue('po-a');
    await och.consume('po-a', () => undefined);
    await ch.close(); // flushes the publishes
    const s = await scrape(base, '/metrics/per-object');
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'po-a' })).toBe(2);
    expect(value(s, 'rabbitmq_queue_messages', { vhost: '/', queue: 'po-a' })).toBe(2);
    expect(value(s, 'rabbitmq_queue_consumers', { vhost: 'other', queue: 'po-a' })).toBe(1);
    expect(value(s, 'rabbitmq_queue_consumers', { vhost: '/', queue: 'po-a' })).toBe(0);
    expect(value(s, 'rabbitmq_queue_info', { vhost: 'other', queue: 'po-a' })).toBe(1);
    expect(s.samples.some((x) => x.name === 'rabbitmq_queue_messages_ready' && Object.keys(x.labels).length === 0)).toBe(false);
    // /metrics sums them, without labels.
    const agg = await scrape(base);
    expect(agg.samples.filter((x) => x.name === 'rabbitmq_queue_messages_ready').map((x) => x.labels)).toEqual([{}]);
    await other.close();
    await conn.close();
  });

  it('detailed: only the asked-for families, rabbitmq_detailed_ prefixed, limited to the asked-for vhosts', async () => {
    const conn = await amqp.connect(vhostUrl('other'));
    const ch = await conn.createChannel();
    await ch.assertQueue('only-here');
    await conn.close();
    const s = await scrape(base, '/metrics/detailed?family=queue_coarse_metrics&family=connection_churn_metrics&vhost=other');
    const queues = s.samples.filter((x) => x.name === 'rabbitmq_detailed_queue_messages_ready');
    expect(queues.length).toBeGreaterThan(0);
    expect(new Set(queues.map((x) => x.labels['vhost']))).toEqual(new Set(['other']));
    expect(s.types.get('rabbitmq_detailed_connections_opened_total')).toBe('counter');
    expect(s.types.has('rabbitmq_detailed_queue_consumers')).toBe(false);
    expect(s.types.has('rabbitmq_connections')).toBe(false);
    expect(s.samples.find((x) => x.name === 'rabbitmq_identity_info')?.labels['rabbitmq_endpoint']).toBe('detailed');
    const none = await scrape(base, '/metrics/detailed');
    expect([...none.types.keys()].sort()).toEqual(['rabbitmq_build_info', 'rabbitmq_identity_info']);
  });

  it('node figures: memory, its limit, disk, its limit, file descriptors, uptime', async () => {
    const s = await scrape(base);
    expect(value(s, 'rabbitmq_process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(value(s, 'rabbitmq_resident_memory_limit_bytes')).toBeGreaterThan(1e6);
    expect(value(s, 'rabbitmq_disk_space_available_bytes')).toBeGreaterThan(0);
    expect(value(s, 'rabbitmq_disk_space_available_limit_bytes')).toBe(broker.config.diskFreeLimit);
    expect(value(s, 'rabbitmq_process_open_fds')).toBeGreaterThan(0);
    expect(value(s, 'rabbitmq_process_max_fds')).toBeGreaterThanOrEqual(value(s, 'rabbitmq_process_open_fds'));
    expect(value(s, 'rabbitmq_erlang_uptime_seconds')).toBeGreaterThan(0);
    expect(value(s, 'rabbitmq_alarms_memory_used_watermark')).toBe(0);
  });
});

describe('promtool check metrics', () => {
  /** Enough queues that each per-queue family spans more than one 256 KiB chunk; names that need escaping. */
  beforeAll(async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    for (let i = 0; i < 6000; i += 500) await Promise.all(Array.from({ length: 500 }, (_, k) => ch.assertQueue(`bulk-${i + k}`, { autoDelete: false })));
    await ch.assertQueue('quote " back \\ slash');
    ch.sendToQueue('bulk-7', Buffer.from('x'));
    await ch.waitForConfirms();
    await conn.close();
  }, 120_000); // 6,000 durable declares; on a loaded machine more than the default 20 s

  it.each(['/metrics', '/metrics/per-object', '/metrics/detailed?family=queue_coarse_metrics&family=queue_metrics&family=queue_delivery_metrics&family=exchange_metrics&family=node_metrics&family=node_coarse_metrics&family=connection_churn_metrics'])(
    '%s passes',
    async (path) => {
      const s: Scrape = await scrape(base, path);
      const { code, output } = await promtoolCheck(s.text);
      expect(output).toBe('');
      expect(code).toBe(0);
    },
  );

  it('every queue is in every per-object family, the escaped names read back', async () => {
    const s = await scrape(base, '/metrics/per-object');
    expect(s.text.length).toBeGreaterThan(6 * 256 * 1024);
    const queues = broker.readModel.queueKeys().length;
    for (const family of ['rabbitmq_queue_messages_ready', 'rabbitmq_queue_messages_unacked', 'rabbitmq_queue_messages', 'rabbitmq_queue_consumers', 'rabbitmq_queue_info']) {
      expect(s.samples.filter((x) => x.name === family).length).toBe(queues);
    }
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'bulk-7' })).toBe(1);
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'quote " back \\ slash' })).toBe(0);
  });
});

describe('per-object labels kept between scrapes', () => {
  const infoKeys = (s: Scrape): string[] =>
    s.samples
      .filter((x) => x.name === 'rabbitmq_queue_info')
      .map((x) => `${x.labels['vhost']}|${x.labels['queue']}`)
      .sort();
  const liveKeys = (): string[] =>
    broker.readModel
      .queueKeys()
      .map((k) => `${k.vhost}|${k.name}`)
      .sort();

  it('follow deletes, new queues and a name declared again, with the figures on the right queue', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    for (const q of ['keep-1', 'gone-2', 'keep-3']) await ch.assertQueue(q);
    const other = await amqp.connect(vhostUrl('other'));
    await (await other.createChannel()).assertQueue('gone-elsewhere');
    await other.close();
    await scrape(base, '/metrics/per-object'); // the labels are kept from here
    await ch.deleteQueue('gone-2');
    await ch.assertQueue('new "4"');
    await ch.assertQueue('gone-2'); // declared again: now after the others
    for (let i = 0; i < 3; i++) ch.sendToQueue('keep-3', Buffer.from('x'));
    ch.sendToQueue('new "4"', Buffer.from('y'));
    await ch.waitForConfirms();
    broker.readModel.deleteQueue('other', 'gone-elsewhere'); // another vhost's
    const s = await scrape(base, '/metrics/per-object');
    expect(infoKeys(s)).toEqual(liveKeys());
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'keep-3' })).toBe(3);
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'new "4"' })).toBe(1);
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'gone-2' })).toBe(0);
    expect(value(s, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: 'keep-1' })).toBe(0);
    await conn.close();
  });

  it('two scrapes at once each get every queue', async () => {
    const [a, b] = await Promise.all([scrape(base, '/metrics/per-object'), scrape(base, '/metrics/per-object')]);
    expect(infoKeys(a)).toEqual(liveKeys());
    expect(infoKeys(b)).toEqual(liveKeys());
    const queueLines = (s: Scrape): string[] => s.text.split('\n').filter((l) => l.startsWith('rabbitmq_queue_'));
    expect(queueLines(a)).toEqual(queueLines(b));
  });
});
