import { describe, expect, it } from 'vitest';
import { PolicyError, validatePolicy, type PolicyInput } from '../../../../src/core/policy/policy-definition.js';

const refused = (input: Partial<PolicyInput> & Record<string, unknown>, kind: 'policy' | 'operator_policy' = 'policy'): string => {
  try {
    validatePolicy(kind, '/', 'p', { pattern: '^a', definition: { 'max-length': 1 }, ...input } as PolicyInput);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).status).toBe(400);
    expect((err as PolicyError).error).toBe('bad_request');
    return (err as PolicyError).reason;
  }
  throw new Error('accepted');
};

describe('policy validation: RabbitMQ 3.10 rabbitmqctl set_policy texts', () => {
  // Each expected text is what rabbitmqctl set_policy printed on RabbitMQ 3.10.8 for the same input.
  it.each([
    [{ definition: { 'max-length': -1 } }, '-1 is not a valid maximum length'],
    [{ definition: { 'max-length': 1.5 } }, '1.5 is not a valid maximum length'],
    [{ definition: { 'message-ttl': '5' } }, '<<"5">> is not a valid message TTL'],
    [{ definition: { expires: 0 } }, '0 is not a valid queue expiry'],
    [{ definition: { foo: 1, bar: 2 } }, '[{<<"bar">>,2},{<<"foo">>,1}] are not recognised policy settings'],
    [{ definition: { 'single-active-consumer': true } }, '[{<<"single-active-consumer">>,true}] are not recognised policy settings'],
    [{ definition: {} }, 'no policy provided'],
    [{ pattern: '(' }, 'pattern should be regular expression but is invalid: '],
    [{ definition: { overflow: 'drop-tail' } }, '<<"drop-tail">> is not a valid overflow value'],
    [{ definition: { overflow: 'é' } }, '<<"Ã©">> is not a valid overflow value'],
    [{ definition: { 'ha-mode': 'bogus' } }, '<<"bogus">> is not a valid ha-mode value'],
    [{ definition: { 'ha-params': 2 } }, 'ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown'],
    [{ definition: { 'ha-mode': 'exactly' } }, 'ha-mode="exactly" takes an integer, none given'],
    [{ definition: { 'ha-mode': 'exactly', 'ha-params': 'x' } }, 'ha-mode="exactly" takes an integer, <<"x">> given'],
    [{ definition: { 'ha-mode': 'all', 'ha-params': 2 } }, 'ha-mode="all" does not take parameters'],
    [{ definition: { 'ha-sync-mode': 'x', 'ha-mode': 'all' } }, 'ha-sync-mode must be "manual" or "automatic", got <<"x">>'],
    [{ definition: { 'queue-master-locator': 'x' } }, '<<"x">> invalid queue-master-locator value'],
    [{ definition: { 'queue-version': 3 } }, '3 is not a valid queue-version value'],
    [{ definition: { 'queue-leader-locator': 'x' } }, '<<"x">> is not a valid queue leader locator value'],
    [{ definition: { 'max-length': { a: 1 } } }, '#{<<"a">> => 1} is not a valid maximum length'],
    [{ definition: { 'max-length': [1, 'x'] } }, '[1,<<"x">>] is not a valid maximum length'],
    [{ definition: { 'max-length': null } }, 'null is not a valid maximum length'],
    [{ definition: { 'max-length': 1e21 } }, '1.0e21 is not a valid maximum length'],
    [{ definition: { 'max-length': true } }, 'true is not a valid maximum length'],
  ])('%j → %s', (input, text) => {
    const reason = refused(input);
    expect(reason.startsWith(`Validation failed\n\n${text}`)).toBe(true);
  });

  it('operator policies accept only the limits (a dead-letter-exchange is not recognised)', () => {
    expect(refused({ definition: { 'dead-letter-exchange': 'x' } }, 'operator_policy')).toBe(
      'Validation failed\n\n[{<<"dead-letter-exchange">>,<<"x">>}] are not recognised policy settings\n',
    );
    expect(() => validatePolicy('operator_policy', '/', 'o', { pattern: '', definition: { 'max-length': 1, 'message-ttl': 5, expires: 9, 'delivery-limit': 2 } })).not.toThrow();
  });

  it('a key for a feature Warren lacks is refused naming it; mirroring keys are accepted and listed as ignored', () => {
    expect(refused({ definition: { 'max-age': '1D' } })).toContain('<<"max-age">>');
    const p = validatePolicy('policy', '/', 'p', { pattern: '', definition: { 'ha-mode': 'all', 'queue-mode': 'lazy', 'max-length': 3 } });
    expect(p.ignored).toEqual(['ha-mode', 'queue-mode']);
    expect(p.snapshot).toEqual({ vhost: '/', name: 'p', pattern: '', 'apply-to': 'all', priority: 0, definition: { 'ha-mode': 'all', 'max-length': 3, 'queue-mode': 'lazy' } });
  });

  it("apply-to takes 4.x's values; anything else is refused", () => {
    expect(validatePolicy('policy', '/', 'p', { pattern: '', 'apply-to': 'quorum_queues', definition: { 'max-length': 1 } }).applyTo).toBe('quorum_queues');
    expect(refused({ 'apply-to': 'streams' as never })).toContain("apply-to 'streams' unrecognised");
  });
});
