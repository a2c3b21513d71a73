import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { connect as natsConnect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { natsServerAvailable, startNatsCluster, type NatsCluster } from '../../helpers/nats-server.js';
import { eventually, putBridge, waitForState } from './bridge-helpers.js';

/*
 * The NATS bridge with a real nats-server: amqplib on the AMQP side, a plain @nats-io client on the
 * other. One nats-server and one broker for the suite; each test its own exchange, subjects and bridge.
 */

const skip = natsServerAvailable() ? undefined : 'nats-server is not installed';
let nats: NatsCluster;
let broker: Broker;
let closeBroker: () => Promise<void>;
let amqp: ChannelModel;
let ch: ConfirmChannel;
let nc: NatsConnection;

beforeAll(async () => {
  if (skip !== undefined) return;
  nats = await startNatsCluster({ size: 1, jetstream: true });
  ({ broker, close: closeBroker } = await openBroker({ managementPort: 0 }));
  const { default: amqplib } = await import('amqplib');
  amqp = await amqplib.connect(broker.url);
  ch = await amqp.createConfirmChannel();
  nc = await natsConnect({ servers: nats.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await amqp?.close();
  await closeBroker?.();
  await nats?.stop();
});

async function retried<T>(fn: () => Promise<T>, tries = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const received = (subject: string): { msgs: Msg[]; ready: Promise<void> } => {
  const msgs: Msg[] = [];
  nc.subscribe(subject, { callback: (_err, m) => void msgs.push(m) });
  return { msgs, ready: nc.flush() };
};

describe.skipIf(skip !== undefined)('nats-bridge to-nats', () => {
  it('publishes what the exchange routes onto subjects, properties and headers as NATS headers', async () => {
    await ch.assertExchange('orders', 'topic', { durable: false });
    const sub = received('shop.>');
    await sub.ready;
    await putBridge(broker, 'orders-out', { uri: nats.urls, direction: 'to-nats', 'src-exchange': 'orders', 'src-exchange-key': 'order.#', 'dest-subject': 'shop.{routing_key}' });
    await waitForState(broker, 'orders-out', 'running');
    ch.publish('orders', 'order.created', Buffer.from('{"id":1}'), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      messageId: 'm-1',
      correlationId: 'c-1',
      replyTo: 'replies',
      priority: 3,
      persistent: true,
      timestamp: 1700000000,
      type: 'created',
      appId: 'shop',
      expiration: '60000',
      headers: { trace: 'abc', count: 5, flag: true, nested: { a: 1 } },
    });
    ch.publish('orders', 'other.key', Buffer.from('not bound'));
    ch.publish('orders', 'order..bad key*', Buffer.from('repaired'));
    await ch.waitForConfirms();
    await eventually(() => sub.msgs.length >= 2, 5000, `got ${sub.msgs.length} NATS messages`);
    const [m, repaired] = sub.msgs;
    expect(m!.subject).toBe('shop.order.created');
    expect(Buffer.from(m!.data).toString()).toBe('{"id":1}');
    const h = m!.headers!;
    expect(h.get('Content-Type')).toBe('application/json');
    expect(h.get('Content-Encoding')).toBe('utf-8');
    expect(h.get('Nats-Msg-Id')).toBe('m-1');
    expect(h.get('AMQP-Correlation-Id')).toBe('c-1');
    expect(h.get('AMQP-Reply-To')).toBe('replies');
    expect(h.get('AMQP-Priority')).toBe('3');
    expect(h.get('AMQP-Delivery-Mode')).toBe('2');
    expect(h.get('AMQP-Timestamp')).toBe('1700000000');
    expect(h.get('AMQP-Type')).toBe('created');
    expect(h.get('AMQP-App-Id')).toBe('shop');
    expect(h.get('AMQP-Expiration')).toBe('60000');
    expect(h.get('trace')).toBe('abc');
    expect(h.get('count')).toBe('5');
    expect(h.get('flag')).toBe('true');
    expect(h.get('nested')).toBe('{"a":1}');
    // Empty tokens and characters a subject cannot hold become '_' (dest-subject-invalid "replace").
    expect(repaired!.subject).toBe('shop.order._.bad_key_');
    expect(sub.msgs).toHaveLength(2); // other.key is not bound
    // Acked once NATS had them: the bridge queue is empty.
    await eventually(() => broker.vhosts.get('/')!.queues.get('nats-bridge.orders-out')!.ref.messageCount === 0);
  });

  it('a PUT over a running bridge replaces its binding', async () => {
    await ch.assertExchange('swap', 'topic', { durable: false });
    const sub = received('swap.>');
    await sub.ready;
    await putBridge(broker, 'swap-out', { uri: nats.urls, direction: 'to-nats', 'src-exchange': 'swap', 'src-exchange-key': 'old.#', 'dest-subject': 'swap.{routing_key}' });
    await waitForState(broker, 'swap-out', 'running');
    await putBridge(broker, 'swap-out', { uri: nats.urls, direction: 'to-nats', 'src-exchange': 'swap', 'src-exchange-key': 'new.#', 'dest-subject': 'swap.{routing_key}' });
    await waitForState(broker, 'swap-out', 'running');
    ch.publish('swap', 'old.1', Buffer.from('old'));
    ch.publish('swap', 'new.1', Buffer.from('new'));
    await ch.waitForConfirms();
    await eventually(() => sub.msgs.length >= 1);
    await nc.flush();
    expect(sub.msgs.map((m) => m.subject)).toEqual(['swap.new.1']);
    expect(broker.vhosts.get('/')!.queues.get('nats-bridge.swap-out')!.ref.messageCount).toBe(0);
  });

  it('with dest-jetstream, acks after the stream stored it; Nats-Msg-Id de-duplicates', async () => {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'AUDIT', subjects: ['audit.>'] });
    await ch.assertExchange('audit', 'direct', { durable: false });
    await putBridge(broker, 'audit-out', { uri: nats.urls, direction: 'to-nats', 'src-exchange': 'audit', 'src-exchange-key': 'login', 'dest-subject': 'audit.{1}', 'dest-jetstream': true });
    await waitForState(broker, 'audit-out', 'running');
    ch.publish('audit', 'login', Buffer.from('a'), { messageId: 'login-1' });
    ch.publish('audit', 'login', Buffer.from('a again'), { messageId: 'login-1' });
    ch.publish('audit', 'login', Buffer.from('b'), { messageId: 'login-2' });
    await ch.waitForConfirms();
    await eventually(() => broker.vhosts.get('/')!.queues.get('nats-bridge.audit-out')!.ref.messageCount === 0 && broker.vhosts.get('/')!.queues.get('nats-bridge.audit-out')!.ref.consumerCount === 1);
    await eventually(() => (broker.vhosts.get('/')!.queues.get('nats-bridge.audit-out') as any).ref.outstandingCount === 0);
    const info = await jsm.streams.info('AUDIT');
    expect(info.state.messages).toBe(2);
    const last = await jsm.streams.getMessage('AUDIT', { last_by_subj: 'audit.login' });
    expect(last!.string()).toBe('b');
  });
});

describe.skipIf(skip !== undefined)('nats-bridge from-nats', () => {
  let q: string;
  let got: ConsumeMessage[];
  beforeEach(async () => {
    got = [];
  });
  afterEach(async () => {
    if (q !== undefined) await ch.deleteQueue(q);
  });

  it('feeds a subject into an exchange, NATS headers as AMQP properties and headers', async () => {
    ({ queue: q } = await ch.assertQueue('', { exclusive: true }));
    await ch.bindQueue(q, 'amq.topic', 'sensors.#');
    await ch.consume(q, (m) => void (m && got.push(m)), { noAck: true });
    await putBridge(broker, 'sensors-in', { uri: nats.urls, direction: 'from-nats', 'src-subject': 'plant.*.temp', 'dest-exchange': 'amq.topic', 'dest-routing-key': 'sensors.{2}' });
    await waitForState(broker, 'sensors-in', 'running');
    const h = headers();
    h.set('Content-Type', 'text/plain');
    h.set('Nats-Msg-Id', 'n-1');
    h.set('AMQP-Correlation-Id', 'c-9');
    h.set('AMQP-Priority', '7');
    h.set('AMQP-Timestamp', '1700000001');
    h.set('AMQP-Delivery-Mode', '1');
    h.set('tenant', 'acme');
    h.append('tag', 'x');
    h.append('tag', 'y');
    nc.publish('plant.boiler.temp', 'hot', { headers: h });
    nc.publish('plant.pump.temp', 'plain');
    await eventually(() => got.length === 2, 5000, `got ${got.length}`);
    const [m, plain] = got;
    expect(m!.fields.routingKey).toBe('sensors.boiler');
    expect(m!.fields.exchange).toBe('amq.topic');
    expect(m!.content.toString()).toBe('hot');
    expect(m!.properties.contentType).toBe('text/plain');
    expect(m!.properties.messageId).toBe('n-1');
    expect(m!.properties.correlationId).toBe('c-9');
    expect(m!.properties.priority).toBe(7);
    expect(m!.properties.timestamp).toBe(1700000001);
    expect(m!.properties.deliveryMode).toBe(1);
    expect(m!.properties.headers).toEqual({ tenant: 'acme', tag: ['x', 'y'] });
    expect(plain!.fields.routingKey).toBe('sensors.pump');
    expect(plain!.properties.deliveryMode).toBe(2); // dest-delivery-mode's default
  });

  it('with a JetStream durable consumer, takes what the stream stored while there was no bridge', async () => {
    const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'PAY', subjects: ['pay.>'] });
    const js = jetstream(nc);
    for (let i = 0; i < 5; i++) await js.publish('pay.done', `p${i}`);
    ({ queue: q } = await ch.assertQueue('pay-in', { durable: true }));
    await ch.bindQueue(q, 'amq.direct', 'pay.done');
    await putBridge(broker, 'pay-in', { uri: nats.urls, direction: 'from-nats', 'src-subject': 'pay.>', 'src-jetstream-stream': 'PAY', 'src-jetstream-consumer': 'warren', 'dest-exchange': 'amq.direct', 'prefetch-count': 2 });
    await ch.consume(q, (m) => void (m && got.push(m)), { noAck: true });
    await eventually(() => got.length === 5, 10_000, `got ${got.length}`);
    expect(got.map((m) => m.content.toString())).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    // Acked on the NATS side once stored: nothing pending for the durable consumer.
    let c = await jsm.consumers.info('PAY', 'warren');
    for (let i = 0; i < 40 && (c.num_ack_pending > 0 || c.num_pending > 0); i++) {
      await new Promise((r) => setTimeout(r, 50));
      c = await jsm.consumers.info('PAY', 'warren');
    }
    expect(c.num_ack_pending).toBe(0);
    expect(c.num_pending).toBe(0);
    expect(c.config.max_ack_pending).toBe(2);
  });
});

describe.skipIf(skip !== undefined)('nats-bridge while NATS is down', () => {
  it('keeps messages in the bridge queue and delivers every one once NATS is back', async () => {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'DOWN', subjects: ['down.>'] });
    await ch.assertExchange('down', 'fanout', { durable: false });
    await putBridge(broker, 'down-out', { uri: nats.urls, direction: 'to-nats', 'src-exchange': 'down', 'dest-subject': 'down.{routing_key}', 'dest-jetstream': true, 'reconnect-delay': 0 });
    await waitForState(broker, 'down-out', 'running');
    ch.publish('down', 'k', Buffer.from('before'), { messageId: 'before' });
    await ch.waitForConfirms();
    await eventually(() => broker.vhosts.get('/')!.queues.get('nats-bridge.down-out')!.ref.messageCount === 0);
    await nats.servers[0]!.kill('SIGKILL');
    await waitForState(broker, 'down-out', 'starting');
    for (let i = 0; i < 50; i++) ch.publish('down', 'k', Buffer.from(`m${i}`), { messageId: `m${i}` });
    await ch.waitForConfirms();
    const queue = broker.vhosts.get('/')!.queues.get('nats-bridge.down-out')!;
    expect(queue.ref.messageCount).toBe(50); // waiting, none handed to a NATS that is not there
    await nats.servers[0]!.start();
    await waitForState(broker, 'down-out', 'running', 20_000);
    await eventually(() => queue.ref.messageCount === 0 && (queue.ref as any).outstandingCount === 0, 20_000, `left ${queue.ref.messageCount}`);
    const info = await retried(() => jsm.streams.info('DOWN')); // this client may still be reconnecting
    expect(info.state.messages).toBe(51);
    const bodies = new Set<string>();
    for (let seq = 1; seq <= 51; seq++) bodies.add((await jsm.streams.getMessage('DOWN', { seq }))!.string());
    expect(bodies.size).toBe(51);
    for (let i = 0; i < 50; i++) expect(bodies.has(`m${i}`)).toBe(true);
  }, 60_000);
});
