import amqp from 'amqplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';
import { launchBrowser, login, openPage, type TestPage } from '../../helpers/browser.js';

/*
 * One queue's page in chromium, every action checked through AMQP (amqplib): its consumers and bindings, browsing
 * without consuming, publishing, purging, redriving dead letters, deleting; and a refused form (the API's error next to
 * the field, nothing moved).
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
  conn = await amqp.connect(broker.url, { clientProperties: { connection_name: 'detail-test' } });
  ch = await conn.createConfirmChannel();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await conn?.close();
  await close();
});

const depth = async (queue: string): Promise<number> => (await ch.checkQueue(queue)).messageCount;

async function openQueue(name: string): Promise<TestPage> {
  const t = await openPage(browser);
  await login(t.page, base, 'guest', 'guest', `#/queues/%2F/${encodeURIComponent(name)}`);
  await t.page.getByRole('heading', { name: `Queue ${name}` }).waitFor();
  return t;
}

const form = (page: Page, legend: string) => page.getByRole('form', { name: legend });

describe('queue detail', () => {
  it('shows consumers and bindings, and browses messages without consuming them', async () => {
    await ch.assertQueue('qd.work', { durable: true });
    await ch.bindQueue('qd.work', 'amq.direct', 'work.key');
    for (let i = 0; i < 4; i++) ch.sendToQueue('qd.work', Buffer.from(`job ${i}`), { headers: { n: i }, persistent: true });
    await ch.waitForConfirms();
    const side = await conn.createChannel();
    await side.prefetch(1);
    await side.consume('qd.work', () => undefined, { consumerTag: 'worker-1' }); // holds one unacked
    const t = await openQueue('qd.work');
    await t.page.locator('td', { hasText: 'worker-1' }).waitFor();
    await expect.poll(() => t.page.getByTestId('ready').textContent(), { timeout: 8_000 }).toBe('3');
    expect(await t.page.getByTestId('unacked').textContent()).toBe('1');
    const bindings = t.page.getByRole('table', { name: 'Bindings' });
    expect(await bindings.locator('td[data-label="Routing key"]').allTextContents()).toEqual(['qd.work', 'work.key']);
    expect(await bindings.locator('td[data-label="From exchange"]').allTextContents()).toEqual(['(default exchange)', 'amq.direct']);

    await form(t.page, 'Browse messages (nothing is consumed)').getByRole('button', { name: 'Browse' }).click();
    const browsed = t.page.getByRole('table', { name: 'Browsed messages' });
    await browsed.waitFor();
    expect(await browsed.locator('td[data-label="Payload"]').allTextContents()).toEqual(['job 1', 'job 2', 'job 3']);
    expect(await browsed.locator('td[data-label="Properties"]').first().textContent()).toBe('{"delivery_mode":2,"headers":{"n":1}}');
    await side.close();
    expect(await depth('qd.work')).toBe(4); // all still there, the held one requeued by the close
    const first = await ch.get('qd.work', { noAck: true });
    expect(first && [first.content.toString(), first.fields.redelivered]).toEqual(['job 0', true]);
    const second = await ch.get('qd.work', { noAck: true });
    expect(second && [second.content.toString(), second.fields.redelivered]).toEqual(['job 1', false]); // browsing delivered nothing
    expect(t.errors).toEqual([]);
    await t.close();
  });

  it('publishes a message with headers, then purges the queue', async () => {
    await ch.assertQueue('qd.pub', { durable: false });
    const t = await openQueue('qd.pub');
    const pub = form(t.page, 'Publish a message');
    await pub.getByLabel('Headers (JSON)').fill('{"origin": "dashboard"}');
    await pub.getByLabel('Payload').fill('hello from the page');
    await pub.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => pub.getByRole('status').textContent(), { timeout: 8_000 }).toBe('Published: the message was routed.');
    await expect.poll(() => t.page.getByTestId('ready').textContent(), { timeout: 8_000 }).toBe('1');
    const got = await ch.get('qd.pub', { noAck: false });
    expect(got && [got.content.toString(), got.properties.headers, got.properties.deliveryMode]).toEqual(['hello from the page', { origin: 'dashboard' }, 2]);
    if (got) ch.nack(got, false, true);

    ch.sendToQueue('qd.pub', Buffer.from('two'));
    await ch.waitForConfirms();
    expect(await depth('qd.pub')).toBe(2);
    await t.page.getByRole('button', { name: 'Purge' }).click();
    await expect.poll(() => t.page.getByText('Purged.').count(), { timeout: 8_000 }).toBe(1);
    expect(await depth('qd.pub')).toBe(0);
    await expect.poll(() => t.page.getByTestId('ready').textContent(), { timeout: 8_000 }).toBe('0');
    expect(t.errors).toEqual([]);
    await t.close();
  });

  it('redrives dead letters back to the queue they died in; a refused redrive shows the reason at its field and moves nothing', async () => {
    await ch.assertQueue('qd.dlq', { durable: false });
    await ch.assertQueue('qd.src', { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'qd.dlq' } });
    for (const p of ['a', 'b']) ch.sendToQueue('qd.src', Buffer.from(p));
    await ch.waitForConfirms();
    for (let i = 0; i < 2; i++) {
      const m = await ch.get('qd.src');
      if (m) ch.nack(m, false, false); // rejected: dead-lettered to qd.dlq
    }
    await expect.poll(() => depth('qd.dlq'), { timeout: 8_000 }).toBe(2);
    const t = await openQueue('qd.dlq');
    const redrive = form(t.page, 'Redrive dead-lettered messages');
    await redrive.getByLabel('At most').fill('-1');
    await redrive.getByRole('button', { name: 'Redrive' }).click();
    const error = redrive.locator('.field-error:not([hidden])');
    await expect.poll(() => error.textContent(), { timeout: 8_000 }).toBe('body/max must be >= 0');
    expect(await redrive.getByLabel('At most').getAttribute('aria-invalid')).toBe('true');
    expect(await error.getAttribute('id')).toBe(await redrive.getByLabel('At most').getAttribute('aria-describedby'));
    expect([await depth('qd.dlq'), await depth('qd.src')]).toEqual([2, 0]);

    await redrive.getByLabel('At most').fill('');
    await redrive.getByLabel('Only with death reason').selectOption('rejected');
    await redrive.getByRole('button', { name: 'Redrive' }).click();
    await expect.poll(() => redrive.getByRole('status').textContent(), { timeout: 8_000 }).toBe('Moved 2, skipped 0.');
    expect(await redrive.locator('.field-error:not([hidden])').count()).toBe(0);
    expect([await depth('qd.dlq'), await depth('qd.src')]).toEqual([2 - 2, 2]);
    const back = await ch.get('qd.src', { noAck: true });
    expect(back && back.content.toString()).toBe('a');
    expect(t.unexpectedErrors([400])).toEqual([]);
    expect(t.errors.length).toBe(1); // the refused POST, as Chrome logs it
    await t.close();
  });

  it('deletes the queue and goes back to the list', async () => {
    await ch.assertQueue('qd.gone', { durable: true });
    const t = await openQueue('qd.gone');
    await t.page.getByRole('button', { name: 'Delete queue' }).click();
    await t.page.getByRole('heading', { name: 'Queues', level: 1 }).waitFor();
    const probe = await conn.createChannel();
    probe.on('error', () => undefined);
    await expect(probe.checkQueue('qd.gone')).rejects.toThrow(/NOT_FOUND - no queue 'qd.gone'/);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
