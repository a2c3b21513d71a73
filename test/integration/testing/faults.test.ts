import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../../../src/testing/index.js';

/** warren/testing's fault injection, seen through amqplib as an application sees it. */
let kit: TestBroker;
beforeAll(async () => {
  kit = await createTestBroker();
});
afterAll(async () => kit.close());

type CloseError = Error & { code?: number };

async function channelOn(url: string): Promise<{ conn: amqp.ChannelModel; ch: amqp.ConfirmChannel }> {
  const conn = await amqp.connect(url);
  conn.on('error', () => undefined);
  return { conn, ch: await conn.createConfirmChannel() };
}

/** Settles with 'pending' when the promise has not settled within ms: for what must not happen yet. */
function stillPending(p: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([p.then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

describe('fault injection', () => {
  it('blockPublishers sends connection.blocked and holds publishes until the unblock', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn, ch } = await channelOn(url);
    await ch.assertQueue('held');
    ch.sendToQueue('held', Buffer.from('before'));
    await ch.waitForConfirms(); // a connection that has published: the alarm applies to it
    const blocked = new Promise<string>((resolve) => conn.once('blocked', resolve));
    const unblock = kit.blockPublishers('disk drill');
    expect(await blocked).toBe('disk drill');
    ch.sendToQueue('held', Buffer.from('during'));
    const confirmed = ch.waitForConfirms();
    expect(await stillPending(confirmed, 150)).toBe('pending');
    expect(kit.broker.readModel.queue(vhost, 'held')?.messages).toBe(1);
    const unblocked = new Promise<void>((resolve) => conn.once('unblocked', () => resolve()));
    unblock();
    await unblocked;
    await confirmed;
    expect((await kit.peek('held', { vhost })).map((m) => m.text())).toEqual(['before', 'during']);
    await conn.close();
  });

  it('nackNext(n): the next n confirm-mode publishes get basic.nack and are not routed', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn, ch } = await channelOn(url);
    await ch.assertQueue('flaky');
    kit.nackNext(2);
    const outcomes: string[] = [];
    for (const body of ['one', 'two', 'three']) ch.sendToQueue('flaky', Buffer.from(body), {}, (err) => outcomes.push(`${body}:${err ? 'nack' : 'ack'}`));
    await expect(ch.waitForConfirms()).rejects.toThrow();
    expect(outcomes).toEqual(['one:nack', 'two:nack', 'three:ack']);
    expect((await kit.peek('flaky', { vhost })).map((m) => m.text())).toEqual(['three']);
    ch.sendToQueue('flaky', Buffer.from('four'));
    await ch.waitForConfirms(); // used up: acks again
    expect(() => kit.nackNext(-1)).toThrow(RangeError);
    await conn.close();
  });

  it('expireConsumerTimeouts closes a channel holding unacked deliveries with 406, and requeues them', async () => {
    const { vhost, url } = await kit.isolate();
    const { conn, ch } = await channelOn(url);
    const idle = await conn.createChannel(); // nothing unacked: stays open
    await ch.assertQueue('slow-work', { arguments: { 'x-consumer-timeout': 3_600_000 } });
    ch.sendToQueue('slow-work', Buffer.from('job'));
    await ch.waitForConfirms();
    const delivered = new Promise<void>((resolve) => void ch.consume('slow-work', () => resolve(), { noAck: false }));
    await delivered;
    const closed = new Promise<CloseError>((resolve) => ch.once('error', resolve));
    expect(kit.expireConsumerTimeouts()).toBe(1);
    const err = await closed;
    expect(err.code).toBe(406);
    expect(err.message).toMatch(/PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 3600000 ms/);
    await expect.poll(() => kit.broker.readModel.queue(vhost, 'slow-work')?.messagesReady).toBe(1);
    await idle.checkQueue('slow-work'); // the idle channel still works
    expect(kit.expireConsumerTimeouts()).toBe(0);
    await conn.close();
  });
});
