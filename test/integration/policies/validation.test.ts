import { describe, expect, it } from 'vitest';
import { channel } from '../topology/support.js';
import { onReference, policyAdmin, policyApplied, type PolicyRefusal } from './policy-admin.js';

/**
 * Refused policies. RabbitMQ's texts are rabbitmqctl's (the management API answers 400 with the same
 * text as its reason); Warren answers a PolicyError {status 400, error 'bad_request', reason}. Where
 * the reasons cannot be the same (a JS regex engine's message is not PCRE's), both must name what is
 * wrong. A refused policy changes nothing.
 */
const admin = policyAdmin('pol-validation');
const V = admin.vhost;

/** Asserts a Warren refusal's HTTP shape; the reference has only a text. */
function expectBadRequest(refusal: PolicyRefusal): void {
  if (!onReference) expect(refusal).toMatchObject({ status: 400, error: 'bad_request' });
}

describe('refused definitions', () => {
  it('an unknown key, named', async () => {
    const refusal = await admin.refusedPolicy('va1', '^va1\\.', { 'no-such-key': 1 });
    expectBadRequest(refusal);
    expect(refusal.text).toContain('no-such-key');
    expect(refusal.text).toBe('Validation failed\n\n[{<<"no-such-key">>,1}] are not recognised policy settings');
  });

  it('a negative max-length', async () => {
    const refusal = await admin.refusedPolicy('va2', '^va2\\.', { 'max-length': -1 });
    expectBadRequest(refusal);
    expect(refusal.text).toContain('-1');
    expect(refusal.text).toBe('Validation failed\n\n-1 is not a valid maximum length');
  });

  it('a message-ttl that is not a number, and an overflow value RabbitMQ does not know', async () => {
    const ttl = await admin.refusedPolicy('va3', '^va3\\.', { 'message-ttl': 'soon' });
    expectBadRequest(ttl);
    expect(ttl.text).toContain('soon');
    const overflow = await admin.refusedPolicy('va3', '^va3\\.', { overflow: 'drop-tail' });
    expectBadRequest(overflow);
    expect(overflow.text).toContain('drop-tail');
    expect(ttl.text).toBe('Validation failed\n\n<<"soon">> is not a valid message TTL');
    expect(overflow.text).toBe('Validation failed\n\n<<"drop-tail">> is not a valid overflow value');
  });

  it('an empty definition', async () => {
    const refusal = await admin.refusedPolicy('va4', '^va4\\.', {});
    expectBadRequest(refusal);
    expect(refusal.text).toBe('Validation failed\n\nno policy provided');
  });

  it('single-active-consumer is not a policy key in RabbitMQ (an argument only)', async () => {
    const refusal = await admin.refusedPolicy('va5', '^va5\\.', { 'single-active-consumer': true });
    expectBadRequest(refusal);
    expect(refusal.text).toBe('Validation failed\n\n[{<<"single-active-consumer">>,true}] are not recognised policy settings');
  });
});

describe('refused patterns', () => {
  it('a pattern that does not compile', async () => {
    const refusal = await admin.refusedPolicy('va6', '[', { 'max-length': 1 });
    expectBadRequest(refusal);
    // The same sentence on both; what follows is PCRE's own error term on RabbitMQ, Warren's words
    // for the same fault ("the character class opened at offset 0 is not closed").
    expect(refusal.text).toMatch(/^Validation failed\n\npattern should be regular expression but is invalid: /);
    if (onReference) expect(refusal.text).toBe('Validation failed\n\npattern should be regular expression but is invalid: {"missing terminating ] for character class",\n                                                      1}');
    else expect(refusal.text).toContain('class');
  });
});

describe('what a refusal leaves', () => {
  it('the policy in force before stays in force', async () => {
    const conn = await admin.connect();
    await (await channel(conn)).assertQueue('va7.q', { durable: false });
    await admin.setPolicy('va7', '^va7\\.', { 'max-length': 1 }, { applyTo: 'queues' });
    await policyApplied(admin, 'va7.q', 'va7');
    await admin.refusedPolicy('va7', '^va7\\.', { 'max-length': -5 }, { applyTo: 'queues' });
    await admin.refusedPolicy('va7-other', '^va7\\.', { 'max-length': 'x' }, { priority: 10, applyTo: 'queues' });
    expect((await admin.queueInfo(V, 'va7.q'))?.effectivePolicyDefinition).toEqual({ 'max-length': 1 });
    expect((await admin.queueInfo(V, 'va7.q'))?.policy).toBe('va7');
  });

  it('clearing a policy that does not exist is an error on RabbitMQ, false on Warren', async () => {
    const result = await admin.clearMissingPolicy('va-missing');
    expect(result).toBe(onReference ? 'Parameter does not exist' : false);
  });
});

describe('accepted keys', () => {
  it("RabbitMQ keys that mean nothing for Warren's queues (queue-mode) are accepted and the policy applies", async () => {
    const conn = await admin.connect();
    await (await channel(conn)).assertQueue('va8.q', { durable: false });
    await admin.setPolicy('va8', '^va8\\.', { 'queue-mode': 'lazy', 'max-length': 4 }, { applyTo: 'queues' });
    const info = await policyApplied(admin, 'va8.q', 'va8');
    expect(info.effectivePolicyDefinition['max-length']).toBe(4);
  });

  /**
   * consumer-timeout became a policy key in RabbitMQ 3.12 (https://www.rabbitmq.com/docs/consumers,
   * "Per-queue Delivery Timeouts Using a Policy"); 3.10 does not know it. Warren follows 4.x.
   */
  it('consumer-timeout: a policy key in 4.x (3.10 refuses it)', async () => {
    if (onReference) {
      const refusal = await admin.refusedPolicy('va9', '^va9\\.', { 'consumer-timeout': 60_000 });
      expect(refusal.text).toBe('Validation failed\n\n[{<<"consumer-timeout">>,60000}] are not recognised policy settings');
      return;
    }
    const conn = await admin.connect();
    await (await channel(conn)).assertQueue('va9.q', { durable: false });
    await admin.setPolicy('va9', '^va9\\.', { 'consumer-timeout': 60_000 }, { applyTo: 'queues' });
    expect((await policyApplied(admin, 'va9.q', 'va9')).effectivePolicyDefinition).toEqual({ 'consumer-timeout': 60_000 });
  });
});
