import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicRoutingTable } from '../../../src/core/exchange/topic.js';

/** The reference: RabbitMQ's word split, then a memoised recursion over (pattern word, key word). */
function referenceMatch(pattern: string, key: string): boolean {
  const p = pattern === '' ? [] : pattern.split('.');
  const w = key === '' ? [] : key.split('.');
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const slot = i * (w.length + 1) + j;
    const known = memo.get(slot);
    if (known !== undefined) return known;
    let r: boolean;
    if (i === p.length) r = j === w.length;
    else if (p[i] === '#') r = go(i + 1, j) || (j < w.length && go(i, j + 1));
    else r = j < w.length && (p[i] === '*' || p[i] === w[j]) && go(i + 1, j + 1);
    memo.set(slot, r);
    return r;
  };
  return go(0, 0);
}

// Small alphabets so that keys collide and match often; '' makes empty words, '*' and '#' in routing keys
// are literal words there.
const patternWord = fc.constantFrom('a', 'b', 'c', '', '*', '#', '#', '*');
const keyWord = fc.constantFrom('a', 'b', 'c', '', 'a', 'b', '*', '#');
const pattern = fc.oneof(
  fc.array(patternWord, { maxLength: 6 }).map((ws) => ws.join('.')),
  // '#'-heavy shapes such as '#.#.a.#'.
  fc.array(fc.constantFrom('#', '#', 'a', '*'), { minLength: 2, maxLength: 8 }).map((ws) => ws.join('.')),
);
const routingKey = fc.array(keyWord, { maxLength: 8 }).map((ws) => ws.join('.'));

interface Q {
  readonly id: number;
}

function routedIds(t: TopicRoutingTable<Q>, key: string): number[] {
  const out: Q[] = [];
  t.route(key, undefined, out);
  return [...new Set(out.map((q) => q.id))].sort((x, y) => x - y);
}

function expectedIds(patterns: readonly string[], live: ReadonlySet<number>, key: string): number[] {
  return patterns.flatMap((p, i) => (live.has(i) && referenceMatch(p, key) ? [i] : []));
}

describe('topic trie against the reference matcher', () => {
  it('routes every key to exactly the bindings the reference matches', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 25 }),
        fc.array(routingKey, { minLength: 1, maxLength: 30 }),
        (patterns, keys) => {
          const t = new TopicRoutingTable<Q>();
          patterns.forEach((p, id) => t.bind({ id }, p, {}));
          const live = new Set(patterns.keys());
          for (const key of keys) expect(routedIds(t, key)).toEqual(expectedIds(patterns, live, key));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on keys drawn from the binding patterns themselves (where matches are likely)', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 20 }), fc.nat(), (patterns, seed) => {
        const t = new TopicRoutingTable<Q>();
        patterns.forEach((p, id) => t.bind({ id }, p, {}));
        const live = new Set(patterns.keys());
        // Replace each wildcard by a concrete run of words so most keys hit some binding.
        let s = seed;
        const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
        for (const p of patterns) {
          const words = (p === '' ? [] : p.split('.')).flatMap((w) =>
            w === '*' ? ['a'] : w === '#' ? Array.from({ length: next() % 3 }, () => 'b') : [w],
          );
          const key = words.join('.');
          expect(routedIds(t, key)).toEqual(expectedIds(patterns, live, key));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('binds N keys, unbinds them all in random order, routing right at every step; the trie ends empty', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(pattern, fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 40 }),
        fc.array(routingKey, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (bindings, keys, seed) => {
          const t = new TopicRoutingTable<Q>();
          const queues = Array.from({ length: 5 }, (_, id) => ({ id }));
          const bound: [string, Q][] = [];
          for (const [p, qi] of bindings) {
            const q = queues[qi]!;
            const fresh = !bound.some(([bp, bq]) => bp === p && bq === q);
            expect(t.bind(q, p, {})).toBe(fresh);
            if (fresh) bound.push([p, q]);
          }
          expect(t.size).toBe(bound.length);
          // Fisher–Yates with a seeded LCG, so fast-check can shrink and replay the order.
          let s = seed;
          for (let i = bound.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [bound[i], bound[j]] = [bound[j]!, bound[i]!];
          }
          while (bound.length > 0) {
            const [p, q] = bound.pop()!;
            expect(t.unbind(q, p, {})).toBe(true);
            expect(t.unbind(q, p, {})).toBe(false);
            for (const key of keys) {
              const want = new Set(bound.filter(([bp]) => referenceMatch(bp, key)).map(([, bq]) => bq.id));
              expect(routedIds(t, key)).toEqual([...want].sort((x, y) => x - y));
            }
          }
          expect(t.size).toBe(0);
          expect(t.nodeCount).toBe(0);
          for (const key of keys) expect(routedIds(t, key)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('unbindAll on every queue also leaves an empty trie', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(pattern, fc.integer({ min: 0, max: 3 })), { maxLength: 40 }), (bindings) => {
        const t = new TopicRoutingTable<Q>();
        const queues = Array.from({ length: 4 }, (_, id) => ({ id }));
        for (const [p, qi] of bindings) t.bind(queues[qi]!, p, {});
        let removed = 0;
        for (const q of queues) removed += t.unbindAll(q);
        expect(removed).toBe(new Set(bindings.map(([p, qi]) => `${qi}\u0000${p}`)).size);
        expect(t.nodeCount).toBe(0);
        expect(t.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
