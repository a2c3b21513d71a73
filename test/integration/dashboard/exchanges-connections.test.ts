import amqp from 'amqplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { launchBrowser, login, openPage } from '../../helpers/browser.js';

/*
 * Exchanges (list, bindings added and removed, the routing explainer) and connections with their channels (closed from
 * the page: the amqplib client gets connection.close with the reason typed in) in chromium, against real traffic.
 */

let broker: Broker;
let close: () => Promise<void>;
let browser: Browser;
let conn: amqp.ChannelModel;
let ch: amqp.ConfirmChannel;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  base = `http://127.0.0.1:${broker.managementPort}`;
  conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'setup' } });
  ch = await conn.createConfirmChannel();
  await ch.assertExchange('ex.unrouted', 'fanout', { durable: false });
  await ch.assertExchange('ex.orders', 'topic', { durable: true, alternateExchange: 'ex.unrouted' });
  await ch.assertQueue('ex.eu', { durable: false });
  await ch.assertQueue('ex.all', { durable: false });
  await ch.assertQueue('ex.lost', { durable: false });
  await ch.bindQueue('ex.eu', 'ex.orders', 'order.eu.*');
  await ch.bindQueue('ex.all', 'ex.orders', 'order.#');
  await ch.bindQueue('ex.lost', 'ex.unrouted', '');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await conn?.close().catch(() => undefined);
  await close();
});

describe('exchanges', () => {
  it('lists exchanges, shows bindings, explains routing, and binds and unbinds', async () => {
    const t = await openPage(browser);
    await login(t.page, base, 'guest', 'guest', '#/exchanges');
    await t.page.locator('tr[data-row="//ex.orders"]').waitFor();
    expect(await t.page.locator('tr[data-row="//ex.orders"] td[data-label="Type"]').textContent()).toBe('topic');
    expect(await t.page.locator('tr[data-row="//ex.orders"] td[data-label="Features"]').textContent()).toBe('D AE: ex.unrouted');
    await t.page.getByLabel('Filter by name').fill('ex.');
    expect(await t.page.locator('td[data-label="Name"]').allTextContents()).toEqual(['ex.orders', 'ex.unrouted']);
    await t.page.getByRole('link', { name: 'ex.orders' }).click();
    await t.page.getByRole('heading', { name: 'Exchange ex.orders' }).waitFor();
    const bindings = t.page.getByRole('table', { name: 'Bindings' });
    await bindings.locator('td', { hasText: 'order.eu.*' }).waitFor();
    expect(await bindings.locator('td[data-label="Routing key"]').allTextContents()).toEqual(['order.#', 'order.eu.*']);

    const explain = t.page.getByRole('form', { name: 'Where would a message go?' });
    await explain.getByLabel('Routing key').fill('order.eu.paid');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => t.page.getByTestId('explain-result').textContent(), { timeout: 8_000 }).toBe('Routed to ex.all, ex.eu.');
    expect(await t.page.getByRole('table', { name: 'Matching bindings' }).locator('td[data-label="Routing key"]').allTextContents().then((k) => k.sort())).toEqual(['order.#', 'order.eu.*']);
    await explain.getByLabel('Routing key').fill('invoice.eu');
    await explain.getByRole('button', { name: 'Explain' }).click();
    await expect.poll(() => t.page.getByTestId('explain-result').textContent(), { timeout: 8_000 }).toBe('Routed to ex.lost.');
    expect(await t.page.locator('.explained').textContent()).toContain('Through alternate exchange: ex.unrouted');
    // The explainer published nothing.
    expect((await ch.checkQueue('ex.lost')).messageCount).toBe(0);

    const bind = t.page.getByRole('form', { name: 'Add a binding' });
    await bind.getByLabel('Destination name').fill('ex.lost');
    await bind.getByLabel('Routing key').fill('invoice.*');
    await bind.getByRole('button', { name: 'Bind' }).click();
    await expect.poll(() => bind.getByRole('status').textContent(), { timeout: 8_000 }).toBe('Bound to ex.lost.');
    await bindings.locator('td', { hasText: 'invoice.*' }).waitFor();
    ch.publish('ex.orders', 'invoice.x', Buffer.from('inv'));
    await ch.waitForConfirms();
    expect((await ch.checkQueue('ex.lost')).messageCount).toBe(1);
    await bindings.locator('tr', { hasText: 'invoice.*' }).getByRole('button', { name: 'Unbind' }).click();
    await expect.poll(() => bindings.locator('td', { hasText: 'invoice.*' }).count(), { timeout: 8_000 }).toBe(0);
    ch.publish('ex.orders', 'order.us', Buffer.from('us'));
    await ch.waitForConfirms();
    expect([(await ch.checkQueue('ex.lost')).messageCount, (await ch.checkQueue('ex.all')).messageCount]).toEqual([1, 1]);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});

describe('connections and channels', () => {
  it('lists connections and channels, and closes a connection with the reason typed in', async () => {
    const victim = await amqp.connect(broker.url, { clientProperties: { connection_name: 'victim-app' } });
    const vch = await victim.createConfirmChannel();
    await vch.prefetch(7);
    victim.on('error', () => undefined);
    const closed = new Promise<Error | undefined>((resolve) => victim.on('close', resolve));
    const t = await openPage(browser);
    await login(t.page, base, 'guest', 'guest', '#/connections');
    const row = t.page.locator('table.data').first().locator('tr', { hasText: 'victim-app' });
    await row.waitFor();
    expect(await row.locator('td[data-label="User"]').textContent()).toBe('guest');
    expect(await row.locator('td[data-label="Channels"]').textContent()).toBe('1');
    const chan = t.page.getByRole('table', { name: 'Channels' }).locator('tr', { hasText: 'victim-app' });
    expect(await chan.locator('td[data-label="Prefetch"]').textContent()).toBe('7');
    expect(await chan.locator('td[data-label="Mode"]').textContent()).toBe('confirm');

    await t.page.getByLabel('Reason given when closing').fill('maintenance window');
    await row.getByRole('button', { name: 'Close' }).click();
    const err = await closed;
    expect(err?.message).toBe('Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - maintenance window"');
    await expect.poll(() => row.count(), { timeout: 12_000 }).toBe(0);
    expect(await t.page.locator('table.data').first().locator('tr', { hasText: 'setup' }).count()).toBe(1);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
