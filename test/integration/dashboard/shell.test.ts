import amqp from 'amqplib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { js, launchBrowser, login, openPage, overflowsHorizontally, PHONE, refreshes } from '../../helpers/browser.js';

/*
 * The dashboard's shell in Debian's chromium against a real broker's management listener: the files it serves, logging in
 * with Warren users (the API's refusals shown as they are), keyboard navigation, live refresh without a reload, and a
 * narrow screen.
 */

let broker: Broker;
let close: () => Promise<void>;
let browser: Browser;
let base: string;

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  base = `http://127.0.0.1:${broker.managementPort}`;
  await broker.users.put({ name: 'plain', password: 'pw', tags: [] });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await close();
});

describe('the files', () => {
  it('serves the page at / and its assets under /dashboard/, under 200 kB in all, with a strict content security policy', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    const missing = await fetch(`${base}/dashboard/nope.js`);
    expect([missing.status, await missing.json()]).toEqual([404, { error: 'Object Not Found', reason: 'Not Found' }]);
    // The API is untouched: /api still answers as before.
    expect((await fetch(`${base}/api/overview`)).status).toBe(401);

    const t = await openPage(browser);
    let total = html.length;
    t.page.on('response', (r) => {
      if (r.url().includes('/dashboard/')) void r.body().then((b) => (total += b.length));
    });
    await t.page.goto(`${base}/`);
    await t.page.getByLabel('Username').waitFor();
    await t.page.waitForLoadState('networkidle');
    expect(total).toBeGreaterThan(10_000);
    expect(total).toBeLessThan(200_000);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});

describe('logging in', () => {
  it("answers a page script's failed login without the Basic challenge that would open the browser's own dialog", async () => {
    const wrong = { authorization: 'Basic ' + Buffer.from('guest:wrong').toString('base64') };
    const plain = await fetch(`${base}/api/whoami`, { headers: wrong });
    expect([plain.status, plain.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="RabbitMQ Management"']);
    const script = await fetch(`${base}/api/whoami`, { headers: { ...wrong, 'x-requested-with': 'XMLHttpRequest' } });
    expect([script.status, script.headers.get('www-authenticate'), await script.json()]).toEqual([401, null, { error: 'not_authorized', reason: 'Login failed' }]);
  });

  it("shows the API's reason for a wrong password and for a user without a management tag, then logs in", async () => {
    const t = await openPage(browser);
    await t.page.goto(`${base}/`);
    await t.page.getByLabel('Username').fill('guest');
    await t.page.getByLabel('Password').fill('wrong');
    await t.page.getByRole('button', { name: 'Log in' }).click();
    const error = t.page.locator('#login-error');
    await expect.poll(() => error.textContent(), { timeout: 8_000 }).toBe('Login failed');
    await t.page.getByLabel('Username').fill('plain');
    await t.page.getByLabel('Password').fill('pw');
    await t.page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => error.textContent(), { timeout: 8_000 }).toBe('Not management user');
    await login(t.page, base);
    await expect.poll(() => t.page.locator('#who').textContent(), { timeout: 8_000 }).toContain('guest (administrator)');
    // Credentials live in sessionStorage: a reload keeps the session, logging out ends it.
    await t.page.reload();
    await t.page.getByRole('navigation', { name: 'Main' }).waitFor();
    await t.page.getByRole('button', { name: 'Log out' }).click();
    await t.page.getByLabel('Username').waitFor();
    expect(await js<number>(t.page, 'sessionStorage.length')).toBe(0);
    expect(t.unexpectedErrors([401])).toEqual([]);
    await t.close();
  });

  it('is usable from the keyboard alone: log in, then move between pages', async () => {
    const t = await openPage(browser);
    await t.page.goto(`${base}/`);
    await t.page.getByLabel('Username').waitFor();
    // The login form takes the focus; Tab moves on to the password, Enter submits.
    expect(await js<string>(t.page, 'document.activeElement?.id')).toBe('login-user');
    await t.page.keyboard.type('guest');
    await t.page.keyboard.press('Tab');
    await t.page.keyboard.type('guest');
    expect(await js<string>(t.page, 'document.activeElement?.id')).toBe('login-password');
    await t.page.keyboard.press('Enter');
    await t.page.locator('body[data-refreshes]').waitFor();
    await t.page.getByRole('link', { name: 'Queues' }).focus();
    await t.page.keyboard.press('Enter');
    await t.page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    expect(t.page.url()).toMatch(/#\/queues$/);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});

describe('tags', () => {
  it("shows a management user only the pages its tags allow, and the API's refusal on another, still logged in", async () => {
    await broker.users.put({ name: 'watcher', password: 'pw', tags: ['management'] });
    await broker.permissions.set({ user: 'watcher', vhost: '/', configure: '', write: '', read: '.*' });
    const t = await openPage(browser);
    await login(t.page, base, 'watcher', 'pw');
    expect(await t.page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Overview', 'Queues', 'Exchanges', 'Connections']);
    await t.page.goto(`${base}/#/users`);
    await expect.poll(() => t.page.locator('#banner').textContent(), { timeout: 8_000 }).toBe('Not administrator user');
    expect(await t.page.locator('#who').textContent()).toContain('watcher (management)');
    await t.page.getByRole('link', { name: 'Queues' }).click();
    await expect.poll(() => t.page.locator('#banner').isHidden(), { timeout: 8_000 }).toBe(true);
    expect(t.unexpectedErrors([401])).toEqual([]);
    await t.close();
  });
});

describe('live refresh', () => {
  it('re-renders every 5 s with new data, without reloading the page', async () => {
    const t = await openPage(browser);
    await login(t.page, base);
    await js(t.page, 'window.marker = 42');
    const before = await refreshes(t.page);
    const queues = t.page.getByTestId('queues').locator('dd');
    const was = Number(await queues.textContent());
    const conn = await amqp.connect(broker.url);
    await (await conn.createChannel()).assertQueue('live.refresh', { durable: false });
    await expect.poll(() => queues.textContent(), { timeout: 12_000 }).toBe(String(was + 1));
    expect(await refreshes(t.page)).toBeGreaterThan(before);
    expect(await js<number>(t.page, 'window.marker')).toBe(42);
    expect(t.errors).toEqual([]);
    await conn.close();
    await t.close();
  }, 30_000);
});

describe('a narrow screen', () => {
  it('fits 390x844 without horizontal scrolling', async () => {
    const t = await openPage(browser, PHONE);
    await login(t.page, base);
    expect(await overflowsHorizontally(t.page)).toBe(false);
    await t.page.goto(`${base}/#/queues`);
    await t.page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    expect(await overflowsHorizontally(t.page)).toBe(false);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
