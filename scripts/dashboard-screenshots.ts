/**
 * Screenshots of the dashboard's main pages at 1280x800, for the README: `npx tsx scripts/dashboard-screenshots.ts [outDir]`
 * (default docs/dashboard). Starts a broker on free ports with steady amqplib traffic (publishers, consumers, a backlog,
 * dead letters, a policy), lets the overview take a few samples, and photographs each page in Debian's chromium.
 */
import amqp from 'amqplib';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startBroker } from '../src/index.js';
import { silentLogger } from '../src/util/logger.js';
import { DESKTOP, js, launchBrowser, login, openPage, refreshes } from '../test/helpers/browser.js';

const outDir = resolve(process.argv[2] ?? 'docs/dashboard');
const dataDir = mkdtempSync(join(tmpdir(), 'warren-shots-'));
const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger(), managementPort: 0, statisticsInterval: 1000 });
const base = `http://127.0.0.1:${broker.managementPort}`;
const timers: NodeJS.Timeout[] = [];

async function traffic(): Promise<amqp.ChannelModel[]> {
  const orders = await amqp.connect(broker.url, { clientProperties: { connection_name: 'order-service' } });
  const ch = await orders.createConfirmChannel();
  await ch.assertExchange('orders', 'topic', { durable: true, alternateExchange: 'orders.unrouted' });
  await ch.assertExchange('orders.unrouted', 'fanout', { durable: true });
  await ch.assertQueue('orders.unrouted', { durable: true });
  await ch.bindQueue('orders.unrouted', 'orders.unrouted', '');
  await ch.assertQueue('orders.dead', { durable: true });
  await ch.assertQueue('orders.eu', { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'orders.dead' } });
  await ch.assertQueue('orders.us', { durable: true });
  await ch.assertQueue('billing.invoices', { durable: true, arguments: { 'x-max-priority': 5 } });
  await ch.assertQueue('audit.log', { durable: false });
  await ch.bindQueue('orders.eu', 'orders', 'order.eu.*');
  await ch.bindQueue('orders.us', 'orders', 'order.us.*');
  await ch.bindQueue('audit.log', 'orders', 'order.#');
  await ch.bindQueue('billing.invoices', 'orders', 'order.*.paid');
  for (let i = 0; i < 40; i++) ch.publish('orders', 'order.us.created', Buffer.from(JSON.stringify({ id: i, region: 'us' })), { contentType: 'application/json', persistent: true });
  for (let i = 0; i < 6; i++) ch.sendToQueue('orders.dead', Buffer.from(JSON.stringify({ id: 900 + i })), { headers: { 'x-death': [{ reason: 'rejected', queue: 'orders.eu', count: 1, exchange: 'orders', 'routing-keys': ['order.eu.created'] }] } });
  await ch.waitForConfirms();
  let n = 0;
  timers.push(setInterval(() => {
    n += 1;
    ch.publish('orders', n % 3 === 0 ? 'order.eu.paid' : 'order.eu.created', Buffer.from(JSON.stringify({ id: 1000 + n, region: 'eu' })), { contentType: 'application/json' });
  }, 15));
  const workers = await amqp.connect(broker.url, { clientProperties: { connection_name: 'eu-workers' } });
  for (const q of ['orders.eu', 'audit.log']) {
    const wc = await workers.createChannel();
    await wc.prefetch(20);
    await wc.consume(q, (m) => m && wc.ack(m));
  }
  const billing = await amqp.connect(broker.url, { clientProperties: { connection_name: 'billing' } });
  const bc = await billing.createChannel();
  await bc.prefetch(5);
  await bc.consume('billing.invoices', (m) => m && setTimeout(() => bc.ack(m), 40));
  await fetch(`${base}/api/policies/%2F/audit-cap`, {
    method: 'PUT',
    headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64'), 'content-type': 'application/json' },
    body: JSON.stringify({ pattern: '^audit\\.', definition: { 'max-length': 10000 }, 'apply-to': 'queues', priority: 1 }),
  });
  return [orders, workers, billing];
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  console.log(`wrote ${join(outDir, `${name}.png`)}`);
}

const conns = await traffic();
mkdirSync(outDir, { recursive: true });
const browser = await launchBrowser();
try {
  const t = await openPage(browser, DESKTOP);
  const { page } = t;
  await login(page, base);
  // Nine samples make a line worth looking at (one per 5 s refresh).
  while ((await refreshes(page)) < 9) await page.waitForTimeout(1000);
  await shot(page, 'overview');

  await page.goto(`${base}/#/queues`);
  await page.locator('tr[data-row="//orders.eu"]').waitFor();
  await page.getByRole('button', { name: 'Ready' }).click();
  await page.getByRole('button', { name: 'Ready' }).click();
  await shot(page, 'queues');

  await page.goto(`${base}/#/queues/%2F/orders.us`);
  await page.getByRole('form', { name: 'Browse messages (nothing is consumed)' }).getByRole('button', { name: 'Browse' }).click();
  await page.getByRole('table', { name: 'Browsed messages' }).waitFor();
  await js(page, "[...document.querySelectorAll('h2')].find((h) => h.textContent === 'Bindings').scrollIntoView()");
  await shot(page, 'queue');

  await page.goto(`${base}/#/exchanges/%2F/orders`);
  const explain = page.getByRole('form', { name: 'Where would a message go?' });
  await explain.getByLabel('Routing key').fill('order.eu.paid');
  await explain.getByRole('button', { name: 'Explain' }).click();
  await page.getByTestId('explain-result').waitFor();
  await js(page, "[...document.querySelectorAll('h2')].find((h) => h.textContent === 'Bindings from this exchange').scrollIntoView()");
  await shot(page, 'exchange');

  await page.goto(`${base}/#/connections`);
  await page.locator('tr', { hasText: 'billing' }).first().waitFor();
  await page.waitForTimeout(1500);
  await shot(page, 'connections');

  await page.goto(`${base}/#/policies`);
  await page.locator('tr[data-row="//audit-cap"]').waitFor();
  await shot(page, 'policies');
  if (t.errors.length > 0) throw new Error(`console errors: ${t.errors.join('; ')}`);
  await t.close();
} finally {
  for (const timer of timers) clearInterval(timer);
  await browser.close();
  for (const c of conns) await c.close().catch(() => undefined);
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
}
