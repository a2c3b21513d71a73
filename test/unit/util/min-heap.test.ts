import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../src/util/min-heap.js';

/**
 * The heap against a sorted model: items come out by key, ties in insertion order (FIFO), which
 * TTL expiry and delayed delivery rely on; retain() keeps exactly what its predicate accepts.
 */

type Op = { readonly op: 'push'; readonly key: number } | { readonly op: 'pop' } | { readonly op: 'retain'; readonly mod: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('push' as const), key: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('pop' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('retain' as const), mod: fc.integer({ min: 2, max: 4 }) }) },
);

interface Item {
  readonly key: number;
  readonly id: number;
}

describe('MinHeap', () => {
  it('pops by key, ties first-in first-out, under any sequence of push, pop and retain', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const heap = new MinHeap<Item>();
        let model: Item[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.op === 'push') {
            const item = { key: o.key, id: id++ };
            heap.push(o.key, item);
            model.push(item);
          } else if (o.op === 'pop') {
            model.sort((a, b) => a.key - b.key || a.id - b.id);
            expect(heap.pop()).toBe(model.shift());
          } else {
            heap.retain((item) => item.id % o.mod !== 0);
            model = model.filter((item) => item.id % o.mod !== 0);
          }
          model.sort((a, b) => a.key - b.key || a.id - b.id);
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toBe(model[0]);
          expect(heap.peekKey()).toBe(model[0]?.key);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('clear() empties it', () => {
    const heap = new MinHeap<number>();
    for (let i = 0; i < 10; i++) heap.push(i, i);
    heap.clear();
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peekKey()).toBeUndefined();
  });
});
