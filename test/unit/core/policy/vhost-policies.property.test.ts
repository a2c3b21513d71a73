import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePolicy, type ApplyTo, type Policy } from '../../../../src/core/policy/policy-definition.js';
import { PolicyList, type EntityKind } from '../../../../src/core/policy/vhost-policies.js';
import { mayMatch, prefilterOf } from '../../../../src/core/policy/pattern-prefilter.js';
import { compilePattern } from '../../../../src/core/security/pcre-pattern.js';

/** Patterns PCRE and JS read alike, over a two-letter alphabet so that they often match. */
const PATTERNS = ['', 'a', 'b', '.', '^a', 'b$', '^a*$', '(a|b)b', '[ab]a', 'ab', '^$', 'a.b'];
const APPLY: ApplyTo[] = ['all', 'queues', 'exchanges', 'classic_queues', 'quorum_queues'];
const KINDS: EntityKind[] = ['exchange', 'classic', 'quorum'];

interface Spec {
  readonly name: string;
  readonly priority: number;
  readonly pattern: string;
  readonly applyTo: ApplyTo;
  readonly deliveryLimit: boolean; // classic queues ignore a policy with delivery-limit
  readonly queueMode: boolean; // quorum queues ignore a policy with queue-mode
}

const spec = fc.record({
  name: fc.constantFrom('p', 'q', 'r', 'pa', 'a', 'b', 'zz'),
  priority: fc.integer({ min: -2, max: 2 }),
  pattern: fc.constantFrom(...PATTERNS),
  applyTo: fc.constantFrom(...APPLY),
  deliveryLimit: fc.boolean(),
  queueMode: fc.boolean(),
});

const policyOf = (s: Spec): Policy =>
  validatePolicy('policy', '/', s.name, {
    pattern: s.pattern,
    'apply-to': s.applyTo,
    priority: s.priority,
    definition: { 'max-length': 1, ...(s.deliveryLimit ? { 'delivery-limit': 1 } : {}), ...(s.queueMode ? { 'queue-mode': 'lazy' } : {}) },
  });

/** The reference: RabbitMQ's rabbit_policy:match over a plain list, ties broken by the lexically first name. */
function reference(specs: ReadonlyMap<string, Spec>, kind: EntityKind, name: string): string | undefined {
  const applies = (s: Spec): boolean => {
    if (kind === 'exchange') return s.applyTo === 'all' || s.applyTo === 'exchanges';
    if (!['all', 'queues', `${kind}_queues`].includes(s.applyTo)) return false;
    return kind === 'classic' ? !s.deliveryLimit : !s.queueMode;
  };
  const hits = [...specs.values()].filter((s) => applies(s) && (s.pattern === '' || new RegExp(s.pattern).test(name)));
  hits.sort((x, y) => y.priority - x.priority || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return hits[0]?.name;
}

const op = fc.oneof(
  spec.map((s) => ({ put: s })),
  fc.constantFrom('p', 'q', 'r', 'pa', 'a').map((name) => ({ del: name })),
);

describe('policy matching (property)', () => {
  it('after any sequence of sets and deletes, the policy in force is the reference matcher’s', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), fc.constantFrom(...KINDS), fc.stringMatching(/^[ab]{0,4}$/), (ops, kind, name) => {
        const list = new PolicyList();
        const specs = new Map<string, Spec>();
        for (const o of ops) {
          if ('put' in o) {
            list.put(policyOf(o.put));
            specs.set(o.put.name, o.put);
          } else {
            expect(list.delete(o.del)).toBe(specs.delete(o.del));
          }
        }
        expect(list.size).toBe(specs.size);
        expect(list.match(kind, name)?.snapshot.name).toBe(reference(specs, kind, name));
      }),
      { numRuns: 2000 },
    );
  });

  it('deleting every policy in any order leaves nothing that matches', () => {
    fc.assert(
      fc.property(fc.uniqueArray(spec, { selector: (s) => s.name }), (specs) => {
        const list = new PolicyList();
        for (const s of specs) list.put(policyOf(s));
        for (const s of fc.sample(fc.shuffledSubarray(specs, { minLength: specs.length }), 1)[0] ?? []) list.delete(s.name);
        expect(list.size).toBe(0);
        expect(list.match('classic', 'a')).toBeUndefined();
      }),
    );
  });
});

describe('pattern prefilter (property)', () => {
  const PIECES = ['a', 'b', 'a', 'b', '.', '\\.', '^', '$', '?', '*', '+', '|', '(', ')', '(?:', '(?=a', '(?!b', '[ab]', '[^a]', '[]a]', '{0,2}', '{1}', '{', '}', '-', '\\d', '\\w', '\\-', 'é'];
  it('never rules out a name the pattern matches', () => {
    let matched = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }), fc.stringMatching(/^[ab.\-é1{}\]]{0,7}$/), (pieces, name) => {
        const pattern = pieces.join('');
        let re;
        try {
          re = compilePattern(pattern);
        } catch {
          return; // refused patterns never reach a policy
        }
        if (!re.test(name)) return;
        matched++;
        expect(mayMatch(prefilterOf(pattern), name)).toBe(true);
      }),
      { numRuns: 20000 },
    );
    expect(matched).toBeGreaterThan(1000); // the property is about matches: enough of them must occur
  });

  it('rules out what a plain prefix or literal pattern cannot match', () => {
    expect(mayMatch(prefilterOf('^orders\\.'), 'billing.q')).toBe(false);
    expect(mayMatch(prefilterOf('orders'), 'billing.q')).toBe(false);
    expect(mayMatch(prefilterOf('^ab?'), 'a')).toBe(true);
    expect(prefilterOf('-5\\.orders$')).toEqual({ literal: '-5.orders' });
    expect(prefilterOf('^a|b')).toEqual({});
  });
});
