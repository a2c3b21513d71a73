import type amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { channel, confirmChannel, drain, drainBodies } from '../topology/support.js';
import { policyAdmin, policyApplied, publishAll, waitFor } from './policy-admin.js';

/**
 * A policy and the queue's own arguments together, as RabbitMQ's classic queues combine them:
 * message-ttl, max-length and max-length-bytes take the lesser; dead-letter-exchange,
 * dead-letter-routing-key and overflow take the argument. The effective policy definition shows the
 * policies only, never the arguments. Observed by what happens to messages.
 */
const admin = policyAdmin('pol-arguments');
const V = admin.vhost;

const messageCount = async (ch: amqp.Channel, queue: string): Promise<number> => (await ch.checkQueue(queue)).messageCount;

/** Takes every message and rejects it without requeue: dead-lettered with reason 'rejected'. */
async function rejectAll(ch: amqp.Channel, queue: string): Promise<number> {
  let n = 0;
  for (;;) {
    const m = await ch.get(queue, { noAck: false });
    if (m === false) return n;
    ch.nack(m, false, false);
    n++;
  }
}

describe('lesser of argument and policy', () => {
  it('message-ttl: whichever is lower expires the messages', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('ar1.long', { durable: false, arguments: { 'x-message-ttl': 600_000 } });
    await ch.assertQueue('ar1.short', { durable: false, arguments: { 'x-message-ttl': 300 } });
    await ch.assertQueue('ar1.control', { durable: false, arguments: { 'x-message-ttl': 600_000 } });
    await admin.setPolicy('ar1-short', '^ar1\\.long$', { 'message-ttl': 300 }, { applyTo: 'queues' });
    await admin.setPolicy('ar1-long', '^ar1\\.(short|control)$', { 'message-ttl': 600_000 }, { applyTo: 'queues' });
    expect((await policyApplied(admin, 'ar1.long', 'ar1-short')).effectivePolicyDefinition).toEqual({ 'message-ttl': 300 });
    expect((await policyApplied(admin, 'ar1.short', 'ar1-long')).effectivePolicyDefinition).toEqual({ 'message-ttl': 600_000 });
    await policyApplied(admin, 'ar1.control', 'ar1-long');
    for (const q of ['ar1.long', 'ar1.short', 'ar1.control']) await publishAll(ch, q, ['x']);
    await waitFor(() => messageCount(ch, 'ar1.long'), (n) => n === 0, 'ar1.long (policy 300 ms) to expire its message');
    await waitFor(() => messageCount(ch, 'ar1.short'), (n) => n === 0, 'ar1.short (argument 300 ms) to expire its message');
    expect(await messageCount(ch, 'ar1.control')).toBe(1);
  });

  it('max-length and max-length-bytes: the lower limit holds', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('ar2.arg-high', { durable: false, arguments: { 'x-max-length': 5 } });
    await ch.assertQueue('ar2.arg-low', { durable: false, arguments: { 'x-max-length': 2 } });
    await ch.assertQueue('ar2.bytes', { durable: false, arguments: { 'x-max-length-bytes': 1000 } });
    await admin.setPolicy('ar2-low', '^ar2\\.arg-high$', { 'max-length': 2 }, { applyTo: 'queues' });
    await admin.setPolicy('ar2-high', '^ar2\\.arg-low$', { 'max-length': 5 }, { applyTo: 'queues' });
    await admin.setPolicy('ar2-bytes', '^ar2\\.bytes$', { 'max-length-bytes': 10 }, { applyTo: 'queues' });
    await policyApplied(admin, 'ar2.arg-high', 'ar2-low');
    await policyApplied(admin, 'ar2.arg-low', 'ar2-high');
    expect((await policyApplied(admin, 'ar2.bytes', 'ar2-bytes')).effectivePolicyDefinition).toEqual({ 'max-length-bytes': 10 });
    for (const q of ['ar2.arg-high', 'ar2.arg-low']) await publishAll(ch, q, ['m0', 'm1', 'm2', 'm3']);
    await publishAll(ch, 'ar2.bytes', ['aaaa', 'bbbb', 'cccc', 'dddd']); // 4 bytes each: two fit in 10
    const get = await channel(conn);
    expect(await drainBodies(get, 'ar2.arg-high')).toEqual(['m2', 'm3']);
    expect(await drainBodies(get, 'ar2.arg-low')).toEqual(['m2', 'm3']);
    expect(await drainBodies(get, 'ar2.bytes')).toEqual(['cccc', 'dddd']);
  });

  it("per-message expiration and the policy's message-ttl: the lower one expires the message", async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('ar5.policy-long', { durable: false });
    await ch.assertQueue('ar5.policy-short', { durable: false });
    await admin.setPolicy('ar5-long', '^ar5\\.policy-long$', { 'message-ttl': 600_000 }, { applyTo: 'queues' });
    await admin.setPolicy('ar5-short', '^ar5\\.policy-short$', { 'message-ttl': 300 }, { applyTo: 'queues' });
    await policyApplied(admin, 'ar5.policy-long', 'ar5-long');
    await policyApplied(admin, 'ar5.policy-short', 'ar5-short');
    await publishAll(ch, 'ar5.policy-long', ['short-lived'], { expiration: '300' });
    await publishAll(ch, 'ar5.policy-long', ['kept'], { expiration: '600000' });
    await publishAll(ch, 'ar5.policy-short', ['x'], { expiration: '600000' });
    await waitFor(() => messageCount(ch, 'ar5.policy-short'), (n) => n === 0, 'ar5.policy-short (policy 300 ms) to expire');
    await waitFor(() => messageCount(ch, 'ar5.policy-long'), (n) => n === 1, 'the 300 ms message in ar5.policy-long to expire');
    expect(await drainBodies(await channel(conn), 'ar5.policy-long')).toEqual(['kept']);
  });
});

describe('the argument wins', () => {
  it('dead-letter-exchange and dead-letter-routing-key: each argument over the same policy key, independently', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    for (const side of ['arg', 'pol']) {
      await ch.assertExchange(`ar3.${side}-dlx`, 'fanout', { durable: false });
      await ch.assertQueue(`ar3.${side}-dlq`, { durable: false });
      await ch.bindQueue(`ar3.${side}-dlq`, `ar3.${side}-dlx`, '');
    }
    await ch.assertQueue('ar3.both', { durable: false, arguments: { 'x-dead-letter-exchange': 'ar3.arg-dlx', 'x-dead-letter-routing-key': 'arg-key' } });
    await ch.assertQueue('ar3.exchange-only', { durable: false, arguments: { 'x-dead-letter-exchange': 'ar3.arg-dlx' } });
    await ch.assertQueue('ar3.none', { durable: false });
    await admin.setPolicy('ar3', '^ar3\\.(both|exchange-only|none)$', { 'dead-letter-exchange': 'ar3.pol-dlx', 'dead-letter-routing-key': 'pol-key' }, { applyTo: 'queues' });
    for (const q of ['ar3.both', 'ar3.exchange-only', 'ar3.none']) {
      expect((await policyApplied(admin, q, 'ar3')).effectivePolicyDefinition).toEqual({ 'dead-letter-exchange': 'ar3.pol-dlx', 'dead-letter-routing-key': 'pol-key' });
      await publishAll(ch, q, [q]);
    }
    const get = await channel(conn);
    for (const q of ['ar3.both', 'ar3.exchange-only', 'ar3.none']) expect(await rejectAll(get, q)).toBe(1);
    const dead = async (dlq: string): Promise<Array<[string, string]>> => {
      await waitFor(() => messageCount(get, dlq), (n) => n >= (dlq === 'ar3.arg-dlq' ? 2 : 1), `dead letters in ${dlq}`);
      return (await drain(get, dlq)).map((m) => [m.content.toString(), m.fields.routingKey] as [string, string]).sort();
    };
    expect(await dead('ar3.arg-dlq')).toEqual([
      ['ar3.both', 'arg-key'],
      ['ar3.exchange-only', 'pol-key'], // the exchange from the argument, the routing key from the policy
    ]);
    expect(await dead('ar3.pol-dlq')).toEqual([['ar3.none', 'pol-key']]);
  });

  it('overflow: the argument over the policy; the policy where the queue has none', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('ar4.arg-reject', { durable: false, arguments: { 'x-overflow': 'reject-publish', 'x-max-length': 1 } });
    await ch.assertQueue('ar4.arg-none', { durable: false, arguments: { 'x-max-length': 1 } });
    await admin.setPolicy('ar4-drop', '^ar4\\.arg-reject$', { overflow: 'drop-head' }, { applyTo: 'queues' });
    await admin.setPolicy('ar4-reject', '^ar4\\.arg-none$', { overflow: 'reject-publish' }, { applyTo: 'queues' });
    await policyApplied(admin, 'ar4.arg-reject', 'ar4-drop');
    await policyApplied(admin, 'ar4.arg-none', 'ar4-reject');
    const confirmed = (q: string, body: string): Promise<boolean> =>
      new Promise((resolve) => ch.sendToQueue(q, Buffer.from(body), {}, (err: unknown) => resolve(err === null || err === undefined)));
    for (const q of ['ar4.arg-reject', 'ar4.arg-none']) {
      expect(await confirmed(q, 'first')).toBe(true);
      expect(await confirmed(q, 'second')).toBe(false); // reject-publish: nacked, the first kept
      expect(await drainBodies(await channel(conn), q)).toEqual(['first']);
    }
  });
});

describe('effective definition', () => {
  it('shows the policy only: arguments are not merged into it', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    await ch.assertQueue('ar6.q', { durable: false, arguments: { 'x-max-length': 1, 'x-message-ttl': 5000 } });
    await admin.setPolicy('ar6', '^ar6\\.', { 'max-length': 9 }, { applyTo: 'queues' });
    expect(await policyApplied(admin, 'ar6.q', 'ar6')).toEqual({ policy: 'ar6', operatorPolicy: undefined, effectivePolicyDefinition: { 'max-length': 9 }, messages: 0 });
    expect(await admin.queueInfo(V, 'ar6.none')).toBeUndefined();
  });
});
