import type amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { channel, confirmChannel, drain, drainBodies } from '../topology/support.js';
import { policyAdmin, policyApplied, publishAll, waitFor } from './policy-admin.js';

/**
 * Operator policies cap what users' policies and arguments set: for the numeric keys both are in
 * force and the lesser value wins (rabbit_policies:merge_policy_value); keys only one side sets are
 * merged into the effective definition.
 */
const admin = policyAdmin('pol-operator');
const V = admin.vhost;

const messageCount = async (ch: amqp.Channel, queue: string): Promise<number> => (await ch.checkQueue(queue)).messageCount;

describe('operator caps', () => {
  it("an operator max-length below the user policy's wins", async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('op1.q', { durable: false });
    await admin.setPolicy('op1-user', '^op1\\.', { 'max-length': 5 }, { applyTo: 'queues' });
    await admin.setOperatorPolicy('op1-cap', '^op1\\.', { 'max-length': 2 }, { applyTo: 'queues' });
    const info = await policyApplied(admin, 'op1.q', 'op1-user', 'op1-cap');
    expect(info.effectivePolicyDefinition).toEqual({ 'max-length': 2 });
    await publishAll(ch, 'op1.q', ['m0', 'm1', 'm2', 'm3']);
    expect(await drainBodies(await channel(conn), 'op1.q')).toEqual(['m2', 'm3']);
  });

  it("an operator max-length above the user policy's does not raise it", async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('op2.q', { durable: false });
    await admin.setPolicy('op2-user', '^op2\\.', { 'max-length': 2 }, { applyTo: 'queues' });
    await admin.setOperatorPolicy('op2-cap', '^op2\\.', { 'max-length': 10 }, { applyTo: 'queues' });
    expect((await policyApplied(admin, 'op2.q', 'op2-user', 'op2-cap')).effectivePolicyDefinition).toEqual({ 'max-length': 2 });
    await publishAll(ch, 'op2.q', ['m0', 'm1', 'm2', 'm3']);
    expect(await drainBodies(await channel(conn), 'op2.q')).toEqual(['m2', 'm3']);
  });

  it('an operator policy alone applies; it also caps a higher argument, and is lifted live', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('op3.q', { durable: false, arguments: { 'x-max-length': 5 } });
    await publishAll(ch, 'op3.q', ['m0', 'm1', 'm2', 'm3']);
    await admin.setOperatorPolicy('op3-cap', '^op3\\.', { 'max-length': 1 }, { applyTo: 'queues' });
    const info = await policyApplied(admin, 'op3.q', undefined, 'op3-cap');
    expect(info.effectivePolicyDefinition).toEqual({ 'max-length': 1 });
    await waitFor(() => messageCount(ch, 'op3.q'), (n) => n === 1, 'op3.q capped to 1 at once');
    await admin.clearOperatorPolicy('op3-cap');
    await waitFor(() => admin.queueInfo(V, 'op3.q'), (i) => i?.operatorPolicy === undefined, 'the operator policy gone');
    await publishAll(ch, 'op3.q', ['n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
    expect(await drainBodies(await channel(conn), 'op3.q')).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']); // the argument's 5 again
  });

  it("keys only one side sets are merged: the user's dead-letter exchange with the operator's message-ttl", async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertExchange('op4-dlx', 'fanout', { durable: false });
    await ch.assertQueue('op4-dlq', { durable: false });
    await ch.bindQueue('op4-dlq', 'op4-dlx', '');
    await ch.assertQueue('op4.q', { durable: false });
    await admin.setPolicy('op4-user', '^op4\\.', { 'dead-letter-exchange': 'op4-dlx', 'message-ttl': 600_000 }, { applyTo: 'queues' });
    await admin.setOperatorPolicy('op4-cap', '^op4\\.', { 'message-ttl': 300 }, { applyTo: 'queues' });
    const info = await policyApplied(admin, 'op4.q', 'op4-user', 'op4-cap');
    expect(info.effectivePolicyDefinition).toEqual({ 'dead-letter-exchange': 'op4-dlx', 'message-ttl': 300 });
    await publishAll(ch, 'op4.q', ['x']);
    const get = await channel(conn);
    await waitFor(() => messageCount(get, 'op4-dlq'), (n) => n === 1, 'the expired message dead-lettered');
    const [dead] = await drain(get, 'op4-dlq');
    expect(dead?.content.toString()).toBe('x');
    expect((dead?.properties.headers?.['x-death'] as Array<{ reason?: unknown }>)[0]?.reason).toBe('expired');
  });

  it('the highest-priority operator policy is the one in force', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    await ch.assertQueue('op5.q', { durable: false });
    await admin.setOperatorPolicy('op5-low', '^op5\\.', { 'max-length': 1, expires: 600_000 }, { priority: 1, applyTo: 'queues' });
    await admin.setOperatorPolicy('op5-high', '^op5\\.', { 'max-length': 3 }, { priority: 2, applyTo: 'queues' });
    expect((await policyApplied(admin, 'op5.q', undefined, 'op5-high')).effectivePolicyDefinition).toEqual({ 'max-length': 3 });
  });

  it('an operator policy may only set the capping keys (dead-letter-exchange refused)', async () => {
    const refusal = await admin.refusedPolicy('op6', '^op6\\.', { 'dead-letter-exchange': 'x' }, { operator: true, applyTo: 'queues' });
    expect(refusal.text).toBe('Validation failed\n\n[{<<"dead-letter-exchange">>,<<"x">>}] are not recognised policy settings');
  });
});
