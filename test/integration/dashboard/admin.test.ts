import amqp from 'amqplib';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { launchBrowser, login, openPage, overflowsHorizontally, PHONE } from '../../helpers/browser.js';

/*
 * The administrator's pages in chromium: vhosts, users and permissions, policies (set one, see its effect through
 * amqplib; a bad definition refused at its field with nothing changed), and definitions export and import.
 */

let broker: Broker;
let close: () => Promise<void>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  base = `http://127.0.0.1:${broker.managementPort}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await close();
});

const form = (page: Page, name: string) => page.getByRole('form', { name });
const api = async (path: string): Promise<any> => (await fetch(`${base}${path}`, { headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') } })).json();

describe('vhosts, users and permissions', () => {
  it('adds a vhost and a user with permissions there, who can then connect over AMQP; deletes both', async () => {
    const t = await openPage(browser);
    await login(t.page, base, 'guest', 'guest', '#/vhosts');
    const vf = form(t.page, 'Add or update a virtual host');
    await vf.getByLabel('Name', { exact: true }).fill('team-a');
    await vf.getByLabel('Description').fill('Team A');
    await vf.getByRole('button', { name: 'Save vhost' }).click();
    await t.page.locator('tr[data-row="team-a"]').waitFor();
    expect(await t.page.locator('tr[data-row="team-a"] td[data-label="Description"]').textContent()).toBe('Team A');

    await t.page.getByRole('link', { name: 'Users' }).click();
    const uf = form(t.page, 'Add or update a user');
    await uf.getByLabel('Username').fill('alice');
    await uf.getByLabel('Password').fill('s3cret');
    await uf.getByLabel('Tags (comma-separated)').fill('management');
    await uf.getByRole('button', { name: 'Save user' }).click();
    await t.page.locator('tr[data-row="alice"]').waitFor();
    const pf = form(t.page, 'Set permissions');
    await pf.getByLabel('User').fill('alice');
    await pf.getByLabel('Vhost').fill('team-a');
    await pf.getByLabel('Read regexp').fill('^reports$');
    await pf.getByRole('button', { name: 'Set permissions' }).click();
    await t.page.locator('tr[data-row="team-a/alice"]').waitFor();
    const alice = await amqp.connect(`${broker.url.replace('guest:guest', 'alice:s3cret')}/team-a`);
    await alice.close();

    // Editing the tags with the password left blank keeps the password.
    await uf.getByLabel('Password').fill('');
    await uf.getByLabel('Tags (comma-separated)').fill('management, monitoring');
    await uf.getByRole('button', { name: 'Save user' }).click();
    await expect.poll(() => t.page.locator('tr[data-row="alice"] td[data-label="Tags"]').textContent(), { timeout: 8_000 }).toBe('management, monitoring');
    await (await amqp.connect(`${broker.url.replace('guest:guest', 'alice:s3cret')}/team-a`)).close();

    // A permission for a user that does not exist: the API's reason at the user field, nothing set.
    await pf.getByLabel('User').fill('nobody');
    await pf.getByRole('button', { name: 'Set permissions' }).click();
    await expect.poll(() => pf.locator('.field-error:not([hidden])').textContent(), { timeout: 8_000 }).toBe('vhost_or_user_not_found');
    expect(await pf.getByLabel('User').getAttribute('aria-invalid')).toBe('true');
    expect((await api('/api/permissions')).map((p: { user: string; vhost: string }) => `${p.vhost}:${p.user}`).sort()).toEqual(['/:guest', 'team-a:alice', 'team-a:guest']);

    await t.page.locator('tr[data-row="alice"]').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => t.page.locator('tr[data-row="alice"]').count(), { timeout: 8_000 }).toBe(0);
    await expect(amqp.connect(`${broker.url.replace('guest:guest', 'alice:s3cret')}/team-a`)).rejects.toThrow(/ACCESS_REFUSED|403/);
    await t.page.getByRole('link', { name: 'Vhosts' }).click();
    await t.page.locator('tr[data-row="team-a"]').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => t.page.locator('tr[data-row="team-a"]').count(), { timeout: 8_000 }).toBe(0);
    expect(broker.vhosts.has('team-a')).toBe(false);
    expect(t.unexpectedErrors([400])).toEqual([]);
    await t.close();
  });
});

describe('policies', () => {
  it('sets a policy that takes effect on a queue, and refuses a bad definition at its field without changing anything', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('capped.jobs', { durable: false });
    const t = await openPage(browser);
    await login(t.page, base, 'guest', 'guest', '#/policies');
    const pf = form(t.page, 'Add or replace a policy');
    await pf.getByLabel('Name', { exact: true }).fill('cap');
    await pf.getByLabel('Pattern (regexp on names)').fill('^capped\\.');
    await pf.getByLabel('Apply to').selectOption('queues');
    await pf.getByLabel('Definition (JSON)').fill('{"max-length": 2}');
    await pf.getByRole('button', { name: 'Save policy' }).click();
    await t.page.locator('tr[data-row="//cap"]').waitFor();
    for (let i = 0; i < 5; i++) ch.sendToQueue('capped.jobs', Buffer.from(`j${i}`));
    await ch.waitForConfirms();
    expect((await ch.checkQueue('capped.jobs')).messageCount).toBe(2); // max-length drops from the head
    const head = await ch.get('capped.jobs', { noAck: true });
    expect(head && head.content.toString()).toBe('j3');

    await pf.getByLabel('Name', { exact: true }).fill('broken');
    await pf.getByLabel('Definition (JSON)').fill('{"max-length": "lots"}');
    await pf.getByRole('button', { name: 'Save policy' }).click();
    const error = pf.locator('.field-error:not([hidden])');
    await expect.poll(() => error.textContent(), { timeout: 8_000 }).toMatch(/^Validation failed\n\n<<"lots">> is not a valid maximum length/);
    expect(await error.getAttribute('id')).toBe(await pf.getByLabel('Definition (JSON)').getAttribute('aria-describedby'));
    expect((await api('/api/policies')).map((p: { name: string }) => p.name)).toEqual(['cap']);
    expect(await t.page.locator('tbody tr').count()).toBe(1);

    await t.page.locator('tr[data-row="//cap"]').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => t.page.locator('tr[data-row="//cap"]').count(), { timeout: 8_000 }).toBe(0);
    for (let i = 0; i < 3; i++) ch.sendToQueue('capped.jobs', Buffer.from(`k${i}`));
    await ch.waitForConfirms();
    expect((await ch.checkQueue('capped.jobs')).messageCount).toBe(4); // no cap any more
    expect(t.unexpectedErrors([400])).toEqual([]);
    await conn.close();
    await t.close();
  });
});

describe('definitions', () => {
  it('exports a download of the definitions and imports a document that declares a queue', async () => {
    const conn = await amqp.connect(broker.url);
    const ch = await conn.createChannel();
    await ch.assertQueue('exported.q', { durable: true });
    const t = await openPage(browser);
    await login(t.page, base, 'guest', 'guest', '#/definitions');
    await t.page.getByRole('button', { name: 'Export definitions' }).click();
    await t.page.locator('li[data-kind="queues"]').waitFor();
    const downloading = t.page.waitForEvent('download');
    await t.page.getByRole('link', { name: 'Download the JSON' }).click();
    const doc = JSON.parse(readFileSync((await (await downloading).path()) as string, 'utf8'));
    expect(doc.queues.map((q: { name: string }) => q.name)).toContain('exported.q');
    expect(await t.page.locator('li[data-kind="queues"] strong').textContent()).toBe(String(doc.queues.length));

    const box = t.page.getByLabel('Definitions (JSON)');
    await box.fill('{"queues": [{"name": "imported.q", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}}');
    await t.page.getByRole('button', { name: 'Import definitions' }).click();
    const error = form(t.page, 'Import').locator('.field-error:not([hidden])');
    await expect.poll(() => error.textContent(), { timeout: 8_000 }).toBe('failed_to_parse_json');
    await box.fill('{"queues": [{"name": "imported.q", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {"x-max-length": 9}}]}');
    await t.page.getByRole('button', { name: 'Import definitions' }).click();
    await expect.poll(() => form(t.page, 'Import').getByRole('status').textContent(), { timeout: 8_000 }).toBe('Imported.');
    expect(await ch.checkQueue('imported.q')).toMatchObject({ queue: 'imported.q', messageCount: 0 });
    expect(t.unexpectedErrors([400])).toEqual([]);
    await conn.close();
    await t.close();
  });

  it('keeps the admin pages readable on a narrow screen', async () => {
    const t = await openPage(browser, PHONE);
    await login(t.page, base, 'guest', 'guest', '#/policies');
    for (const hash of ['#/policies', '#/users', '#/vhosts', '#/definitions', '#/exchanges', '#/connections']) {
      await t.page.goto(`${base}/${hash}`);
      await t.page.locator('body[data-refreshes]').waitFor();
      expect(await overflowsHorizontally(t.page), hash).toBe(false);
    }
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
