import amqp from 'amqplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { js, launchBrowser, login, openPage, overflowsHorizontally, PHONE, refreshes } from '../../helpers/browser.js';

/*
 * The queues page in chromium: every queue of a broker with amqplib traffic, its depth and rates; sorting by a column
 * (by keyboard), filtering by name and by vhost.
 */

let broker: Broker;
let close: () => Promise<void>;
let browser: Browser;
let conn: amqp.ChannelModel;
let timer: NodeJS.Timeout | undefined;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0, statisticsInterval: 500 }));
  const put = await fetch(`http://127.0.0.1:${broker.managementPort}/api/vhosts/other`, { method: 'PUT', headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') } });
  expect(put.status).toBe(201);
  conn = await amqp.connect(broker.url);
  const ch = await conn.createConfirmChannel();
  const depths: Record<string, number> = { 'orders.new': 3, 'orders.paid': 12, 'audit.log': 5, 'mail.out': 0 };
  for (const [q, n] of Object.entries(depths)) {
    await ch.assertQueue(q, { durable: q !== 'mail.out' });
    for (let i = 0; i < n; i++) ch.sendToQueue(q, Buffer.from(`${q} ${i}`));
  }
  await ch.waitForConfirms();
  const other = await amqp.connect(`${broker.url}/other`);
  const och = await other.createConfirmChannel();
  await och.assertQueue('orders.other', { durable: false });
  for (let i = 0; i < 2; i++) och.sendToQueue('orders.other', Buffer.from('x'));
  await och.waitForConfirms();
  await other.close();
  // mail.out carries traffic: published and consumed, so its rates move and its depth stays 0.
  const consumer = await conn.createChannel();
  await consumer.consume('mail.out', (m) => m && consumer.ack(m));
  timer = setInterval(() => ch.sendToQueue('mail.out', Buffer.from('m')), 20);
  browser = await launchBrowser();
});

afterAll(async () => {
  clearInterval(timer);
  await browser?.close();
  await conn?.close();
  await close();
});

const names = (page: Page): Promise<string[]> => page.locator('table.data tbody tr td[data-label="Name"]').allTextContents();
const cell = (page: Page, row: string, column: string) => page.locator(`tr[data-row="${row}"] td[data-label="${column}"]`);

describe('queues', () => {
  it('lists every queue with its depth and rates, sorts by any column and filters', async () => {
    const t = await openPage(browser);
    await login(t.page, `http://127.0.0.1:${broker.managementPort}`, 'guest', 'guest', '#/queues');
    await t.page.locator('tr[data-row="other/orders.other"]').waitFor();
    expect(await names(t.page)).toEqual(['audit.log', 'mail.out', 'orders.new', 'orders.other', 'orders.paid']);
    expect(await cell(t.page, '//orders.paid', 'Ready').textContent()).toBe('12');
    expect(await cell(t.page, '//orders.paid', 'Features').textContent()).toBe('D');
    expect(await cell(t.page, 'other/orders.other', 'Vhost').textContent()).toBe('other');
    await expect.poll(async () => Number.parseFloat((await cell(t.page, '//mail.out', 'Incoming').textContent()) ?? ''), { timeout: 12_000 }).toBeGreaterThan(10);
    expect(await cell(t.page, '//mail.out', 'Consumers').textContent()).toBe('1');

    // Sort by Ready from the keyboard: ascending, then descending; the header says which.
    const ready = t.page.getByRole('button', { name: 'Ready' });
    await ready.focus();
    await t.page.keyboard.press('Enter');
    expect(await names(t.page)).toEqual(['mail.out', 'orders.other', 'orders.new', 'audit.log', 'orders.paid']);
    await t.page.keyboard.press('Enter'); // the button keeps the focus across the re-render
    expect(await names(t.page)).toEqual(['orders.paid', 'audit.log', 'orders.new', 'orders.other', 'mail.out']);
    expect(await t.page.locator('th', { has: ready }).getAttribute('aria-sort')).toBe('descending');

    // Filter by name, then by vhost; the order and the filter survive the live refresh.
    await t.page.getByLabel('Filter by name').fill('ORDERS');
    expect(await names(t.page)).toEqual(['orders.paid', 'orders.new', 'orders.other']);
    await t.page.getByLabel('Vhost').selectOption('/');
    expect(await names(t.page)).toEqual(['orders.paid', 'orders.new']);
    expect(await t.page.getByRole('status').filter({ hasText: 'queues' }).textContent()).toBe('2 of 5 queues');
    const n = await refreshes(t.page);
    await expect.poll(() => refreshes(t.page), { timeout: 12_000 }).toBeGreaterThan(n);
    expect(await names(t.page)).toEqual(['orders.paid', 'orders.new']);

    await t.page.getByRole('link', { name: 'orders.paid' }).click();
    await t.page.getByRole('heading', { name: 'Queue orders.paid' }).waitFor();
    expect(t.page.url()).toMatch(/#\/queues\/%2F\/orders\.paid$/);
    expect(t.errors).toEqual([]);
    await t.close();
  }, 40_000);

  it('fits a 390x844 screen with real rows: the list and a queue with browsed messages', async () => {
    const t = await openPage(browser, PHONE);
    await login(t.page, `http://127.0.0.1:${broker.managementPort}`, 'guest', 'guest', '#/queues');
    await t.page.locator('tr[data-row="//orders.paid"]').waitFor();
    expect(await overflowsHorizontally(t.page)).toBe(false);
    // Each row is a card: the column name beside each value.
    const before = `getComputedStyle(document.querySelector('tr[data-row="//orders.paid"] td[data-label="Ready"]'), '::before').content`;
    expect(await js<string>(t.page, before)).toBe('"Ready"');
    await t.page.getByRole('link', { name: 'orders.paid' }).click();
    await t.page.getByRole('button', { name: 'Browse' }).click();
    await t.page.getByRole('table', { name: 'Browsed messages' }).waitFor();
    expect(await overflowsHorizontally(t.page)).toBe(false);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
