import type amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { channel, confirmChannel, drain, drainBodies } from '../topology/support.js';
import { onReference, policyAdmin, policyApplied, publishAll, waitFor } from './policy-admin.js';

/**
 * A policy set, changed or deleted re-applies at once to the queues already there: a smaller
 * max-length drops (or dead-letters) the surplus without waiting for a publish, a new dead-letter
 * exchange takes the next dead letter, and a deleted policy leaves the arguments in force.
 */
const admin = policyAdmin('pol-live');

const messageCount = async (ch: amqp.Channel, queue: string): Promise<number> => (await ch.checkQueue(queue)).messageCount;
const bodies = (n: number, prefix = 'm'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A fanout dead-letter exchange with one queue bound. */
async function deadLetterTarget(ch: amqp.Channel, name: string): Promise<void> {
  await ch.assertExchange(`${name}-dlx`, 'fanout', { durable: false });
  await ch.assertQueue(`${name}-dlq`, { durable: false });
  await ch.bindQueue(`${name}-dlq`, `${name}-dlx`, '');
}

const xDeathReason = (m: amqp.GetMessage): unknown => (m.properties.headers?.['x-death'] as Array<{ reason?: unknown }> | undefined)?.[0]?.reason;

describe('max-length shrink', () => {
  it('drops the oldest messages at once, before any publish', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lv1.q', { durable: false });
    await publishAll(ch, 'lv1.q', bodies(5));
    await admin.setPolicy('lv1', '^lv1\\.', { 'max-length': 2 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv1.q', 'lv1');
    await waitFor(() => messageCount(ch, 'lv1.q'), (n) => n === 2, 'lv1.q to shrink to 2');
    expect(await drainBodies(await channel(conn), 'lv1.q')).toEqual(['m3', 'm4']);
  });

  it('dead-letters the surplus, oldest first, with reason maxlen, when the queue has a dead-letter exchange', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await deadLetterTarget(ch, 'lv2');
    await ch.assertQueue('lv2.q', { durable: false, arguments: { 'x-dead-letter-exchange': 'lv2-dlx' } });
    await publishAll(ch, 'lv2.q', bodies(5));
    await admin.setPolicy('lv2', '^lv2\\.q$', { 'max-length': 2 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv2.q', 'lv2');
    const get = await channel(conn);
    await waitFor(() => messageCount(get, 'lv2-dlq'), (n) => n === 3, 'three dead letters in lv2-dlq');
    const dead = await drain(get, 'lv2-dlq');
    expect(dead.map((m) => m.content.toString())).toEqual(['m0', 'm1', 'm2']);
    expect(dead.map(xDeathReason)).toEqual(['maxlen', 'maxlen', 'maxlen']);
    expect(await drainBodies(get, 'lv2.q')).toEqual(['m3', 'm4']);
  });

  it('a policy changed to a smaller limit shrinks again', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lv3.q', { durable: false });
    await admin.setPolicy('lv3', '^lv3\\.', { 'max-length': 4 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv3.q', 'lv3');
    await publishAll(ch, 'lv3.q', bodies(6));
    expect(await messageCount(ch, 'lv3.q')).toBe(4);
    await admin.setPolicy('lv3', '^lv3\\.', { 'max-length': 1 }, { applyTo: 'queues' });
    await waitFor(() => messageCount(ch, 'lv3.q'), (n) => n === 1, 'lv3.q to shrink to 1');
    expect((await admin.queueInfo(admin.vhost, 'lv3.q'))?.effectivePolicyDefinition).toEqual({ 'max-length': 1 });
    expect(await drainBodies(await channel(conn), 'lv3.q')).toEqual(['m5']);
  });
});

describe('dead-letter exchange added by a policy', () => {
  it('takes the messages that expire after it is set', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await deadLetterTarget(ch, 'lv4');
    // The TTL must outlast set_policy and the check below: rabbitmqctl takes 1-5 s a call on a loaded
    // machine; Warren's API answers at once.
    await ch.assertQueue('lv4.q', { durable: false, arguments: { 'x-message-ttl': onReference ? 25_000 : 1500 } });
    await publishAll(ch, 'lv4.q', ['e0', 'e1']);
    await admin.setPolicy('lv4', '^lv4\\.q$', { 'dead-letter-exchange': 'lv4-dlx' }, { applyTo: 'queues' });
    const info = await policyApplied(admin, 'lv4.q', 'lv4');
    expect(info.messages).toBe(2); // else the messages expired before the policy: the test proves nothing
    const get = await channel(conn);
    await waitFor(() => messageCount(get, 'lv4-dlq'), (n) => n === 2, 'the expired messages in lv4-dlq', 60_000);
    const dead = await drain(get, 'lv4-dlq');
    expect(dead.map((m) => m.content.toString())).toEqual(['e0', 'e1']);
    expect(dead.map(xDeathReason)).toEqual(['expired', 'expired']);
  });

  it('a changed dead-letter exchange takes the next dead letter', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await deadLetterTarget(ch, 'lv5a');
    await deadLetterTarget(ch, 'lv5b');
    await ch.assertQueue('lv5.q', { durable: false });
    await admin.setPolicy('lv5', '^lv5\\.q$', { 'dead-letter-exchange': 'lv5a-dlx' }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv5.q', 'lv5');
    await publishAll(ch, 'lv5.q', ['first', 'second']);
    const get = await channel(conn);
    const first = await get.get('lv5.q', { noAck: false });
    if (first === false) throw new Error('lv5.q is empty');
    get.nack(first, false, false);
    await waitFor(() => messageCount(get, 'lv5a-dlq'), (n) => n === 1, 'first in lv5a-dlq');
    await admin.setPolicy('lv5', '^lv5\\.q$', { 'dead-letter-exchange': 'lv5b-dlx' }, { applyTo: 'queues' });
    await waitFor(() => admin.queueInfo(admin.vhost, 'lv5.q'), (i) => i?.effectivePolicyDefinition['dead-letter-exchange'] === 'lv5b-dlx', 'the new DLX');
    const second = await get.get('lv5.q', { noAck: false });
    if (second === false) throw new Error('lv5.q lost its second message');
    get.nack(second, false, false);
    await waitFor(() => messageCount(get, 'lv5b-dlq'), (n) => n === 1, 'second in lv5b-dlq');
    expect(await drainBodies(get, 'lv5a-dlq')).toEqual(['first']);
    expect(await drainBodies(get, 'lv5b-dlq')).toEqual(['second']);
  });
});

describe('a policy deleted', () => {
  it("restores the arguments' behaviour", async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lv6.q', { durable: false, arguments: { 'x-max-length': 3 } });
    await admin.setPolicy('lv6', '^lv6\\.', { 'max-length': 1 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv6.q', 'lv6');
    await publishAll(ch, 'lv6.q', bodies(3));
    expect(await messageCount(ch, 'lv6.q')).toBe(1);
    await admin.clearPolicy('lv6');
    expect((await policyApplied(admin, 'lv6.q', undefined)).effectivePolicyDefinition).toEqual({});
    await publishAll(ch, 'lv6.q', bodies(4, 'n'));
    expect(await drainBodies(await channel(conn), 'lv6.q')).toEqual(['n1', 'n2', 'n3']);
  });

  it('a deleted message-ttl policy stops expiring new messages', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lv7.q', { durable: false });
    await admin.setPolicy('lv7', '^lv7\\.', { 'message-ttl': 200 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv7.q', 'lv7');
    await publishAll(ch, 'lv7.q', ['gone']);
    await waitFor(() => messageCount(ch, 'lv7.q'), (n) => n === 0, 'the message to expire under the policy');
    await admin.clearPolicy('lv7');
    await policyApplied(admin, 'lv7.q', undefined);
    await publishAll(ch, 'lv7.q', ['kept']);
    await new Promise((r) => setTimeout(r, 600)); // three times the old TTL: the message must still be there
    expect(await drainBodies(await channel(conn), 'lv7.q')).toEqual(['kept']);
  });
});

describe('a policy set after declare', () => {
  it('applies to the next publish', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lv8.q', { durable: false });
    expect((await admin.queueInfo(admin.vhost, 'lv8.q'))?.policy).toBeUndefined();
    await admin.setPolicy('lv8', '^lv8\\.', { 'max-length': 1 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv8.q', 'lv8');
    await publishAll(ch, 'lv8.q', bodies(3));
    expect(await drainBodies(await channel(conn), 'lv8.q')).toEqual(['m2']);
  });

  /**
   * RabbitMQ's classic queues compute a message's expiry when it is enqueued
   * (rabbit_amqqueue_process: calculate_msg_expiry): a message-ttl set later does not reach messages
   * already in the queue, only those published after it.
   */
  it('a message-ttl set after the messages were enqueued leaves them alone and expires the next ones', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('lv9.q', { durable: false });
    await publishAll(ch, 'lv9.q', ['old']);
    await admin.setPolicy('lv9', '^lv9\\.', { 'message-ttl': 200 }, { applyTo: 'queues' });
    await policyApplied(admin, 'lv9.q', 'lv9');
    await publishAll(ch, 'lv9.q', ['new']);
    await new Promise((r) => setTimeout(r, 600)); // 'new' has expired; 'old' never does
    expect(await drainBodies(await channel(conn), 'lv9.q')).toEqual(['old']);
  });
});
