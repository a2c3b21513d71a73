import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsumerSet, type QueueConsumer } from '../../../../src/core/queue/consumer-set.js';
import { brokerPrincipal } from '../../../../src/core/principal.js';

/**
 * Which consumer gets the next message: one with credit, of the highest x-priority that has
 * credit; round-robin within that priority (each one once per round); with single active
 * consumer, only the earliest registered one still there, and nobody when it has no credit.
 */

interface Fake extends QueueConsumer {
  credit: boolean;
  readonly priority: number;
  readonly order: number;
}

function consumer(order: number, priority: number, credit = true): Fake {
  return {
    tag: `c${order}`,
    exclusive: false,
    noAck: true,
    owner: brokerPrincipal('/'),
    priority,
    order,
    credit,
    canDeliver() {
      return this.credit;
    },
    deliver() {},
    cancelledByQueue() {},
  };
}

type Op =
  | { readonly op: 'add'; readonly priority: number; readonly credit: boolean }
  | { readonly op: 'remove' | 'toggle'; readonly pick: number }
  | { readonly op: 'next' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('add' as const), priority: fc.integer({ min: -1, max: 2 }), credit: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('remove' as const, 'toggle' as const), pick: fc.nat() }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('next' as const) }) },
);

function run(singleActive: boolean, ops: readonly Op[]): void {
  const set = new ConsumerSet(singleActive);
  const present: Fake[] = [];
  let order = 0;
  for (const o of ops) {
    if (o.op === 'add') {
      const c = consumer(order++, o.priority, o.credit);
      set.add(c, o.priority);
      present.push(c);
    } else if (o.op === 'remove' || o.op === 'toggle') {
      if (present.length === 0) continue;
      const i = o.pick % present.length;
      const c = present[i] as Fake;
      if (o.op === 'toggle') {
        c.credit = !c.credit;
      } else {
        expect(set.remove(c)).toBe(true);
        present.splice(i, 1);
        expect(set.remove(c)).toBe(false);
      }
    } else {
      const got = set.next() as Fake | undefined;
      if (singleActive) {
        const active = present[0];
        expect(got).toBe(active?.credit === true ? active : undefined);
      } else {
        const eligible = present.filter((c) => c.credit);
        if (eligible.length === 0) {
          expect(got).toBeUndefined();
        } else {
          const top = Math.max(...eligible.map((c) => c.priority));
          expect(got?.credit).toBe(true);
          expect(got?.priority).toBe(top);
        }
      }
    }
    expect(set.size).toBe(present.length);
  }
}

describe('ConsumerSet', () => {
  it('serves a consumer with credit of the highest priority that has credit', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => run(false, ops)), { numRuns: 400 });
  });

  it('with single active consumer, serves only the earliest registered one', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => run(true, ops)), { numRuns: 400 });
  });

  it('round-robins within a priority: each consumer once per round, in registration order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (priorities, rounds) => {
        const set = new ConsumerSet(false);
        const all = priorities.map((p, i) => consumer(i, p));
        for (const c of all) set.add(c, c.priority);
        const top = Math.max(...priorities);
        const expected = all.filter((c) => c.priority === top);
        for (let r = 0; r < rounds; r++) {
          const round = expected.map(() => set.next());
          expect(round).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
