import { describe, expect, it } from 'vitest';
import { channel, confirmChannel, drainBodies } from '../topology/support.js';
import { onReference, onWarren, policyAdmin, policyApplied, publishAll, waitFor } from './policy-admin.js';

/**
 * Which policy applies: the highest priority among those whose pattern matches (an unanchored
 * search) and whose apply-to covers the entity; only that one, its definition not merged with the
 * others'. Run against RabbitMQ 3.10 with POLICY_REFERENCE_URL (see policy-admin.ts).
 */
const admin = policyAdmin('pol-precedence');
const V = admin.vhost;

describe('priority', () => {
  it('the highest priority wins alone; changing priorities and deleting the winner re-applies live', async () => {
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('pr1.q', { durable: false });
    await admin.setPolicy('pr1-low', '^pr1\\.', { 'max-length': 5, 'message-ttl': 600_000 }, { priority: 1, applyTo: 'queues' });
    await admin.setPolicy('pr1-high', '^pr1\\.q$', { 'max-length': 2 }, { priority: 2, applyTo: 'queues' });
    const info = await policyApplied(admin, 'pr1.q', 'pr1-high');
    // Only the winner's keys: no message-ttl from pr1-low.
    expect(info.effectivePolicyDefinition).toEqual({ 'max-length': 2 });
    await publishAll(ch, 'pr1.q', ['m0', 'm1', 'm2', 'm3']);
    expect((await ch.checkQueue('pr1.q')).messageCount).toBe(2);

    // pr1-low raised above pr1-high: it takes over, with both its keys.
    await admin.setPolicy('pr1-low', '^pr1\\.', { 'max-length': 5, 'message-ttl': 600_000 }, { priority: 3, applyTo: 'queues' });
    expect((await policyApplied(admin, 'pr1.q', 'pr1-low')).effectivePolicyDefinition).toEqual({ 'max-length': 5, 'message-ttl': 600_000 });
    await publishAll(ch, 'pr1.q', ['m4', 'm5', 'm6', 'm7']);
    expect(await drainBodies(await channel(conn), 'pr1.q')).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);

    // The winner deleted: the other one applies again.
    await admin.clearPolicy('pr1-low');
    expect((await policyApplied(admin, 'pr1.q', 'pr1-high')).effectivePolicyDefinition).toEqual({ 'max-length': 2 });
    await publishAll(ch, 'pr1.q', ['n0', 'n1', 'n2']);
    expect(await drainBodies(await channel(conn), 'pr1.q')).toEqual(['n1', 'n2']);
  });

  it('priority defaults to 0 and may be negative', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    await ch.assertQueue('pr5.q', { durable: false });
    await admin.setPolicy('pr5-negative', '^pr5\\.', { 'max-length': 1 }, { priority: -1 });
    await policyApplied(admin, 'pr5.q', 'pr5-negative');
    await admin.setPolicy('pr5-default', '^pr5\\.', { 'max-length': 3 });
    expect((await policyApplied(admin, 'pr5.q', 'pr5-default')).effectivePolicyDefinition).toEqual({ 'max-length': 3 });
  });
});

describe('apply-to', () => {
  it('a queue takes the best policy for queues or all; an exchange the best for exchanges or all', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    await ch.assertQueue('pr2.q', { durable: false });
    await ch.assertExchange('pr2.x', 'direct', { durable: false });
    await ch.assertExchange('pr2-ae', 'fanout', { durable: false });
    await admin.setPolicy('pr2-exchanges', '^pr2\\.', { 'alternate-exchange': 'pr2-ae' }, { priority: 10, applyTo: 'exchanges' });
    await admin.setPolicy('pr2-all', '^pr2\\.', { 'max-length': 3 }, { priority: 5, applyTo: 'all' });
    await admin.setPolicy('pr2-queues', '^pr2\\.', { 'max-length': 1 }, { priority: 0, applyTo: 'queues' });
    expect((await policyApplied(admin, 'pr2.q', 'pr2-all')).effectivePolicyDefinition).toEqual({ 'max-length': 3 });
    expect(await waitFor(() => admin.exchangePolicy(V, 'pr2.x'), (p) => p === 'pr2-exchanges', 'pr2.x to have pr2-exchanges')).toBe('pr2-exchanges');

    // Without the 'all' policy the queue falls to the queues-only one; the exchange keeps its own.
    await admin.clearPolicy('pr2-all');
    expect((await policyApplied(admin, 'pr2.q', 'pr2-queues')).effectivePolicyDefinition).toEqual({ 'max-length': 1 });
    expect(await admin.exchangePolicy(V, 'pr2.x')).toBe('pr2-exchanges');

    // An exchanges-only policy never applies to a queue, whatever its priority.
    await admin.clearPolicy('pr2-queues');
    expect((await policyApplied(admin, 'pr2.q', undefined)).effectivePolicyDefinition).toEqual({});
  });

  /**
   * RabbitMQ 3.12+ (https://www.rabbitmq.com/docs/policies, "apply-to": queues, classic_queues,
   * quorum_queues, streams, exchanges, all) matches a policy to one queue type; 3.10 refuses the
   * value. Warren follows 4.x: its queues are classic queues.
   */
  it('apply-to classic_queues applies to a classic queue, quorum_queues does not (4.x; 3.10 refuses both)', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    await ch.assertQueue('pr6.q', { durable: false });
    if (onReference) {
      const refusal = await admin.refusedPolicy('pr6-classic', '^pr6\\.', { 'max-length': 1 }, { applyTo: 'classic_queues' });
      expect(refusal.text).toBe("Validation failed\n\napply-to 'classic_queues' unrecognised; should be 'queues', 'exchanges' or 'all'");
      return;
    }
    await admin.setPolicy('pr6-quorum', '^pr6\\.', { 'max-length': 2 }, { priority: 9, applyTo: 'quorum_queues' });
    await admin.setPolicy('pr6-classic', '^pr6\\.', { 'max-length': 1 }, { priority: 1, applyTo: 'classic_queues' });
    expect((await policyApplied(admin, 'pr6.q', 'pr6-classic')).effectivePolicyDefinition).toEqual({ 'max-length': 1 });
  });
});

describe('pattern', () => {
  it('is an unanchored search on the name; anchors and escapes mean what they mean in PCRE', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    for (const q of ['pr3.a.middle.b', 'pr3.middle', 'pr3-other', 'pr3.amiddle']) await ch.assertQueue(q, { durable: false });
    await admin.setPolicy('pr3-search', 'middle', { 'max-length': 7 }, { applyTo: 'queues' });
    await admin.setPolicy('pr3-anchored', '^pr3\\.middle$', { 'max-length': 8 }, { priority: 1, applyTo: 'queues' });
    await admin.setPolicy('pr3-dot', '^pr3\\.\\w+$', { 'max-length': 9 }, { priority: 2, applyTo: 'queues' });
    await policyApplied(admin, 'pr3.a.middle.b', 'pr3-search');
    await policyApplied(admin, 'pr3.middle', 'pr3-dot'); // all three match; the highest priority wins
    await policyApplied(admin, 'pr3.amiddle', 'pr3-dot');
    expect((await admin.queueInfo(V, 'pr3-other'))?.policy).toBeUndefined(); // '\.' is a literal dot
    await admin.clearPolicy('pr3-dot');
    await policyApplied(admin, 'pr3.middle', 'pr3-anchored');
    await policyApplied(admin, 'pr3.amiddle', 'pr3-search');
  });

  it('a queue declared after the policy gets it at declare', async () => {
    await admin.setPolicy('pr7', '^pr7\\.', { 'max-length': 1 }, { applyTo: 'queues' });
    const conn = await admin.connect();
    const ch = await confirmChannel(conn);
    await ch.assertQueue('pr7.q', { durable: false });
    expect((await admin.queueInfo(V, 'pr7.q'))?.policy).toBe('pr7');
    await publishAll(ch, 'pr7.q', ['a', 'b']);
    expect(await drainBodies(await channel(conn), 'pr7.q')).toEqual(['b']);
  });
});

describe('ties', () => {
  it('two matching policies of equal priority: one applies (Warren: the lexically first name)', async () => {
    const conn = await admin.connect();
    const ch = await channel(conn);
    await ch.assertQueue('pr4.q', { durable: false });
    // Set in reverse order, so that "first set" and "first by name" differ.
    await admin.setPolicy('pr4-b', '^pr4\\.', { 'max-length': 2 }, { priority: 7 });
    await admin.setPolicy('pr4-a', '^pr4\\.', { 'max-length': 1 }, { priority: 7 });
    const info = await waitFor(
      () => admin.queueInfo(V, 'pr4.q'),
      (i) => i?.policy === 'pr4-a' || i?.policy === 'pr4-b',
      'one of the tied policies',
    );
    expect(info?.effectivePolicyDefinition).toEqual({ 'max-length': info?.policy === 'pr4-a' ? 1 : 2 });
    // RabbitMQ leaves the choice unspecified (rabbit_policy:match_all sorts by priority only).
    if (onWarren) expect(info?.policy).toBe('pr4-a');
  });
});
