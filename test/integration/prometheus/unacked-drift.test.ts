/**
 * The per-queue unacked figure and the broker's totals are counts kept as things happen (the queue's
 * outstanding deliveries; each vhost's queue counts, deleted queues included), not recounted per scrape
 * from the channels and the queues. Here they are checked after every kind of settle an amqplib client
 * can make (ack, nack and reject with and without requeue, multiple, basic.cancel with deliveries
 * still unacked, channel close with unacked, queue delete) against what the scenario expects and what
 * the channels themselves hold, on /metrics/per-object, /metrics and the management read model.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { scrape, value } from './support.js';

let broker: Broker;
let close: () => Promise<void>;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ prometheusPort: 0 }));
  base = `http://127.0.0.1:${broker.prometheusPort as number}`;
});
afterAll(async () => close());

const QUEUE_FIELDS = ['deliver', 'deliver_no_ack', 'get', 'get_no_ack', 'get_empty', 'ack', 'redeliver', 'drop_expired', 'drop_maxlen', 'drop_rejected', 'drop_delivery_limit'] as const;
const GLOBAL = {
  deliver: 'rabbitmq_global_messages_delivered_consume_manual_ack_total',
  deliver_no_ack: 'rabbitmq_global_messages_delivered_consume_auto_ack_total',
  get: 'rabbitmq_global_messages_delivered_get_manual_ack_total',
  get_no_ack: 'rabbitmq_global_messages_delivered_get_auto_ack_total',
  get_empty: 'rabbitmq_global_messages_get_empty_total',
  ack: 'rabbitmq_global_messages_acknowledged_total',
  redeliver: 'rabbitmq_global_messages_redelivered_total',
  drop_rejected: 'rabbitmq_global_messages_dead_lettered_rejected_total',
} as const;

/** Every view of the queues' unacked deliveries agrees with `expected` (queue -> unacked, ready). */
async function check(expected: Readonly<Record<string, readonly [unacked: number, ready: number]>>, gone: Readonly<Record<string, number>> = {}): Promise<void> {
  const rm = broker.readModel;
  // Deliveries (a consumer's refill after a settle) reach the client asynchronously: wait for the counts to settle.
  await eventually(() => Object.entries(expected).every(([q, [u, r]]) => rm.queue('/', q)?.messagesUnacknowledged === u && rm.queue('/', q)?.messagesReady === r), 5000, `unacked/ready not ${JSON.stringify(expected)}: ${JSON.stringify(Object.keys(expected).map((q) => [q, rm.queue('/', q)?.messagesUnacknowledged, rm.queue('/', q)?.messagesReady]))}`);
  const per = await scrape(base, '/metrics/per-object');
  let sum = 0;
  for (const [q, [u, r]] of Object.entries(expected)) {
    expect(value(per, 'rabbitmq_queue_messages_unacked', { vhost: '/', queue: q }), q).toBe(u);
    expect(value(per, 'rabbitmq_queue_messages_ready', { vhost: '/', queue: q }), q).toBe(r);
    expect(value(per, 'rabbitmq_queue_messages', { vhost: '/', queue: q }), q).toBe(u + r);
    sum += u;
  }
  // What the channels hold, counted on their side: the same deliveries.
  expect(rm.channels().reduce((n, c) => n + c.messagesUnacknowledged, 0)).toBe(sum);
  const agg = await scrape(base, '/metrics');
  expect(value(agg, 'rabbitmq_queue_messages_unacked')).toBe(sum);
  // The totals are each queue's counts summed, plus what deleted queues had (`gone`).
  const queues = rm.queues('/');
  const totals = broker.stats.totals();
  for (const f of QUEUE_FIELDS) {
    const live = queues.reduce((n, q) => n + (q.messageStats?.[f] ?? 0), 0);
    expect(totals[f], f).toBe(live + (gone[f] ?? 0));
  }
  for (const [f, name] of Object.entries(GLOBAL)) expect(value(agg, name, name.includes('dead_lettered') ? {} : { protocol: 'amqp091' }), name).toBe(totals[f as keyof typeof GLOBAL]);
}

describe('per-queue unacked and the totals, as deliveries are settled', () => {
  it('agree with the channels and the queues after ack, nack, reject, requeue, cancel, channel close and queue delete', async () => {
    const conn = await amqp.connect(broker.url);
    const pub = await conn.createChannel();
    await pub.assertQueue('d1', { durable: false });
    await pub.assertQueue('d2', { durable: false });
    for (let i = 0; i < 10; i++) pub.sendToQueue('d1', Buffer.from(`a${i}`));
    for (let i = 0; i < 5; i++) pub.sendToQueue('d2', Buffer.from(`b${i}`));
    await check({ d1: [0, 10], d2: [0, 5] });

    const a = await conn.createChannel();
    await a.prefetch(3);
    const held: amqp.ConsumeMessage[] = [];
    const { consumerTag } = await a.consume('d1', (m) => m !== null && held.push(m), { noAck: false });
    await check({ d1: [3, 7], d2: [0, 5] });

    const b = await conn.createChannel();
    const g1 = await b.get('d2', { noAck: false });
    const g2 = await b.get('d2', { noAck: false });
    expect(g1 && g2).toBeTruthy();
    await b.get('d2', { noAck: true });
    await check({ d1: [3, 7], d2: [2, 2] });

    a.ack(held.shift() as amqp.ConsumeMessage); // the consumer gets one more
    await check({ d1: [3, 6], d2: [2, 2] });
    a.nack(held.shift() as amqp.ConsumeMessage, false, true); // back to the queue, redelivered at once
    await check({ d1: [3, 6], d2: [2, 2] });
    a.reject(held.shift() as amqp.ConsumeMessage, false); // dropped (no dead-letter exchange); another comes
    await check({ d1: [3, 5], d2: [2, 2] });
    await eventually(() => held.length === 3);
    a.ack(held[1] as amqp.ConsumeMessage, true); // multiple: the first two
    held.splice(0, 2);
    await check({ d1: [3, 3], d2: [2, 2] });

    await a.cancel(consumerTag); // its three deliveries stay unacked on the channel
    await check({ d1: [3, 3], d2: [2, 2] });
    b.nack(g2 as amqp.GetMessage, true, true); // multiple, requeued: both gets
    await check({ d1: [3, 3], d2: [0, 4] });
    const g3 = await b.get('d2', { noAck: false });
    b.reject(g3 as amqp.GetMessage, false);
    await check({ d1: [3, 3], d2: [0, 3] });

    await a.close(); // the cancelled consumer's three come back
    await check({ d1: [0, 6], d2: [0, 3] });

    // A deleted queue's counts stay in the totals.
    const before = broker.readModel.queue('/', 'd2')?.messageStats;
    await pub.deleteQueue('d2');
    const gone = Object.fromEntries(QUEUE_FIELDS.map((f) => [f, before?.[f] ?? 0]));
    await check({ d1: [0, 6] }, gone);
    await conn.close();
  });
});
