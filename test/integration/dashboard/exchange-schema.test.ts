import amqp from 'amqplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { launchBrowser, login, openPage } from '../../helpers/browser.js';

/*
 * An x-schema exchange's page in chromium: the schema, its per-key schemas, the counts, and the
 * last invalid messages (newest first) with the reason and the start of the body, after stock
 * amqplib published them. An exchange without a schema has no Schema section.
 */

let broker: Broker;
let close: () => Promise<void>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  base = `http://127.0.0.1:${broker.managementPort}`;
  const conn = await amqp.connect(broker.url);
  const ch = await conn.createChannel();
  const schema = { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } };
  await ch.assertExchange('sx.items', 'topic', { arguments: { 'x-schema': JSON.stringify(schema), 'x-schema-by-key': JSON.stringify({ 'audit.#': true }) } });
  await ch.assertExchange('sx.plain', 'fanout');
  ch.publish('sx.items', 'item.new', Buffer.from(JSON.stringify({ sku: 1 })), { contentType: 'application/json' });
  ch.publish('sx.items', 'item.old', Buffer.from('not json at all'), { contentType: 'application/json' });
  ch.publish('sx.items', 'item.ok', Buffer.from(JSON.stringify({ sku: 'a' })), { contentType: 'application/json' });
  await ch.checkExchange('sx.items');
  await conn.close();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await close();
});

describe('an x-schema exchange on the dashboard', () => {
  it('shows the schema and the last invalid messages', async () => {
    const t = await openPage(browser);
    await login(t.page, base, 'guest', 'guest', '#/exchanges/%2F/sx.items');
    const schema = t.page.getByTestId('schema');
    await schema.waitFor();
    expect(await schema.locator('pre.schema').first().textContent()).toContain('"sku"');
    expect(await schema.textContent()).toContain('1 valid, 1 invalid, 1 unparseable, 2 dropped');
    const byKey = t.page.getByRole('table', { name: 'Schemas by routing key' });
    expect(await byKey.locator('td[data-label="Pattern"]').allTextContents()).toEqual(['audit.#']);
    const rejects = t.page.getByRole('table', { name: 'Last invalid messages' });
    expect(await rejects.locator('td[data-label="Routing key"]').allTextContents()).toEqual(['item.old', 'item.new']);
    expect(await rejects.locator('td[data-label="Reason"]').allTextContents()).toEqual(['schema: body is not valid JSON (unparseable)', 'schema: /sku must be string (type)']);
    expect(await rejects.locator('td[data-label="Body"]').allTextContents()).toEqual(['not json at all', '{"sku":1}']);
    expect(await rejects.locator('td[data-label="Outcome"]').allTextContents()).toEqual(['dropped', 'dropped']);

    await t.page.goto(`${base}/#/exchanges/%2F/sx.plain`);
    await t.page.getByRole('heading', { name: 'Exchange sx.plain' }).waitFor();
    await t.page.getByRole('table', { name: 'Bindings' }).waitFor();
    expect(await t.page.getByRole('heading', { name: 'Schema' }).isVisible()).toBe(false);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
