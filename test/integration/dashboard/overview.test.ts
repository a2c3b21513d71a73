import amqp from 'amqplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { launchBrowser, login, openPage } from '../../helpers/browser.js';

/*
 * The overview page in chromium, on a broker carrying amqplib traffic: the message-rate chart (inline SVG from
 * /api/overview's message_stats rates, one sample per refresh), queue totals, connection count, node memory and disk,
 * and a real alarm on a second broker whose disk limit cannot be met.
 */

let broker: Broker;
let close: () => Promise<void>;
let browser: Browser;
let conn: amqp.ChannelModel;
let timer: NodeJS.Timeout | undefined;

const base = (b: Broker): string => `http://127.0.0.1:${b.managementPort}`;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0, statisticsInterval: 500 }));
  conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'overview-traffic' } });
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('ov.backlog', { durable: false });
  for (let i = 0; i < 7; i++) ch.sendToQueue('ov.backlog', Buffer.from(`held ${i}`));
  await ch.assertQueue('ov.flow', { durable: false });
  const consumer = await conn.createChannel();
  await consumer.consume('ov.flow', (m) => m && consumer.ack(m));
  await ch.waitForConfirms();
  // A steady flow: published, delivered, acknowledged and confirmed, every 20 ms.
  timer = setInterval(() => ch.sendToQueue('ov.flow', Buffer.from('tick')), 20);
  browser = await launchBrowser();
});

afterAll(async () => {
  clearInterval(timer);
  await browser?.close();
  await conn?.close();
  await close();
});

describe('overview', () => {
  it('charts the message rates and shows queue totals, connections and the node', async () => {
    const t = await openPage(browser);
    await login(t.page, base(broker));
    const card = (id: string) => t.page.getByTestId(id).locator('dd');
    await expect.poll(() => card('ready').textContent(), { timeout: 8_000 }).toBe('7');
    expect(await card('connections').textContent()).toBe('1');
    expect(await card('queues').textContent()).toBe('2');
    expect(await card('consumers').textContent()).toBe('1');
    // Two refreshes make a line; the published rate (50/s from the timer) is in the legend and the chart's label.
    const line = t.page.locator('svg.chart polyline[data-series="publish"]');
    await line.waitFor({ timeout: 12_000 });
    expect((await line.getAttribute('points'))?.split(' ').length).toBeGreaterThanOrEqual(2);
    const published = Number.parseFloat((await t.page.locator('.legend li[data-series="publish"] strong').textContent()) ?? '');
    expect(published).toBeGreaterThan(10);
    expect(await t.page.locator('svg.chart').getAttribute('aria-label')).toMatch(/^Message rates: Published [\d.]+\/s, Delivered/);
    // The node, from /api/nodes: memory against its limit, free disk, no alarm.
    expect(await t.page.getByTestId('alarms').textContent()).toBe('No alarms');
    const node = await t.page.locator('.node .facts').textContent();
    expect(node).toMatch(/Memory used[\d.]+ \wiB of [\d.]+ \wiB limit/);
    expect(node).toMatch(/Disk free[\d.]+ \wiB \(limit 47\.7 MiB\)/);
    expect(t.errors).toEqual([]);
    await t.close();
  }, 30_000);

  it('shows an alarm when one is raised', async () => {
    const alarmed = await openBroker({ managementPort: 0, diskFreeLimit: 1e15 });
    try {
      const t = await openPage(browser);
      await login(t.page, base(alarmed.broker));
      await expect.poll(() => t.page.getByTestId('alarms').textContent(), { timeout: 8_000 }).toBe('Alarm: disk — publishers are blocked');
      expect(await t.page.getByTestId('alarms').getAttribute('role')).toBe('alert');
      expect(t.errors).toEqual([]);
      await t.close();
    } finally {
      await alarmed.close();
    }
  });

  it("tells a management user without the monitoring tag why the node is not shown", async () => {
    await broker.users.put({ name: 'mgmt', password: 'pw', tags: ['management'] });
    await broker.permissions.set({ user: 'mgmt', vhost: '/', configure: '.*', write: '.*', read: '.*' });
    const t = await openPage(browser);
    await login(t.page, base(broker), 'mgmt', 'pw');
    await expect.poll(() => t.page.locator('.panel').last().textContent(), { timeout: 8_000 }).toContain('Node details need the monitoring or administrator tag.');
    expect(await t.page.getByTestId('ready').locator('dd').textContent()).toBe('7');
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
