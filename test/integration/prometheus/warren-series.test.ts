/**
 * Warren's own series that move with traffic: warren_publish_confirm_seconds (confirm-mode publishes
 * only) and warren_paged_bytes (message bodies paged to disk), over real HTTP and amqplib.
 */
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { promtoolCheck, scrape, value } from './support.js';

let broker: Broker;
let close: () => Promise<void>;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ prometheusPort: 0 }));
  base = `http://127.0.0.1:${broker.prometheusPort as number}`;
});
afterAll(async () => close());

describe('warren_publish_confirm_seconds', () => {
  it('stays zero without confirm mode, and counts every confirm-mode publish once, synced or not', async () => {
    const conn = await amqp.connect(broker.url);
    const plain = await conn.createChannel();
    await plain.assertQueue('plain');
    for (let i = 0; i < 5; i++) plain.sendToQueue('plain', Buffer.from('x'));
    await plain.close(); // flushes the publishes
    const idle = await scrape(base);
    expect(idle.types.get('warren_publish_confirm_seconds')).toBe('histogram');
    expect(value(idle, 'warren_publish_confirm_seconds_count')).toBe(0);
    expect(value(idle, 'warren_publish_confirm_seconds_bucket', { le: '+Inf' })).toBe(0);
    expect(value(idle, 'warren_publish_confirm_seconds_sum')).toBe(0);

    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('durable-confirms', { durable: true });
    for (let i = 0; i < 3; i++) ch.sendToQueue('plain', Buffer.from('y')); // nothing to sync: settled in the publish's turn
    for (let i = 0; i < 4; i++) ch.sendToQueue('durable-confirms', Buffer.from('z'), { persistent: true }); // waits for its write
    await ch.waitForConfirms();
    const s = await scrape(base);
    expect(value(s, 'warren_publish_confirm_seconds_count')).toBe(7);
    expect(value(s, 'warren_publish_confirm_seconds_bucket', { le: '+Inf' })).toBe(7);
    expect(value(s, 'warren_publish_confirm_seconds_sum')).toBeGreaterThanOrEqual(0);
    expect(value(s, 'warren_publish_confirm_seconds_bucket', { le: '0.0001' })).toBeGreaterThanOrEqual(3);
    const { code, output } = await promtoolCheck(s.text);
    expect(output).toBe('');
    expect(code).toBe(0);
    await conn.close();
  });
});

describe('warren_paged_bytes', () => {
  it('is zero until a queue pages, then the paged bodies, and zero again after a purge', async () => {
    expect(value(await scrape(base), 'warren_paged_bytes')).toBe(0);
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('long');
    // Past 32 MiB held in memory a queue pages new messages out (core/queue/queue-paging.ts).
    const body = Buffer.alloc(1024 * 1024, 1);
    for (let i = 0; i < 40; i++) ch.sendToQueue('long', body);
    await ch.waitForConfirms();
    const paged = value(await scrape(base), 'warren_paged_bytes');
    expect(paged).toBeGreaterThan(0);
    expect(paged % body.length).toBe(0);
    expect(paged).toBeLessThanOrEqual(40 * body.length);
    await ch.purgeQueue('long');
    expect(value(await scrape(base), 'warren_paged_bytes')).toBe(0);
    await conn.close();
  });
});
