/**
 * A scrape client that goes away mid-response (a Prometheus scrape timeout, a curl killed) must not
 * leave the scrape waiting forever for a socket that will never drain: the broker stops writing,
 * releases the scrape's buffers and says so at debug level.
 */
import { connect } from 'node:net';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { scrape } from './support.js';

/** Enough queues that /metrics/per-object is far larger than what loopback socket buffers hold. */
const QUEUES = 20_000;

let broker: Broker;
let close: () => Promise<void>;
let base: string;
const logs = jsonLogSink();

beforeAll(async () => {
  ({ broker, close } = await openBroker({ prometheusPort: 0, logger: createLogger('debug', logs.sink) }));
  base = `http://127.0.0.1:${broker.prometheusPort as number}`;
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  await Promise.all(Array.from({ length: QUEUES }, (_, i) => ch.assertQueue(`abandoned.${i}`, { durable: false })));
  await conn.close();
}, 60_000);
afterAll(async () => close());

it('a client that stops reading and closes mid-scrape ends the scrape, and the next scrape is whole', async () => {
  const socket = connect(broker.prometheusPort as number, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  let received = 0;
  socket.on('data', (d: Buffer) => {
    received += d.length;
    socket.pause(); // read one chunk, then stop: the broker's socket fills and waits for a drain
  });
  socket.write('GET /metrics/per-object HTTP/1.1\r\nHost: localhost\r\n\r\n');
  await eventually(() => received > 0, 10_000, 'no response bytes');
  await new Promise((r) => setTimeout(r, 300));
  socket.destroy();
  await eventually(() => logs.lines.some((l) => l['event'] === 'prometheus.scrape-abandoned'), 10_000, 'the scrape never noticed its client had gone');
  const line = logs.lines.find((l) => l['event'] === 'prometheus.scrape-abandoned');
  expect(line?.['path']).toBe('/metrics/per-object');
  expect(logs.lines.some((l) => l['event'] === 'prometheus.scrape-failed')).toBe(false);

  const whole = await scrape(base, '/metrics/per-object');
  expect(whole.samples.filter((s) => s.name === 'rabbitmq_queue_messages_ready')).toHaveLength(QUEUES);
}, 60_000);
