import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Deque } from '../../../src/util/deque.js';

/**
 * The ring buffer against an array model: any sequence of operations leaves both with the same
 * items in the same order, across growth and wrap-around (small initial capacity, many ops).
 */

type Op =
  | { readonly op: 'push' | 'unshift'; readonly value: number }
  | { readonly op: 'shift' | 'pop' | 'clear' }
  | { readonly op: 'insertAt' | 'removeAt' | 'at'; readonly index: number; readonly value: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 40, arbitrary: fc.record({ op: fc.constantFrom('push' as const, 'unshift' as const), value: fc.integer() }) },
  { weight: 25, arbitrary: fc.record({ op: fc.constantFrom('shift' as const, 'pop' as const) }) },
  { weight: 30, arbitrary: fc.record({ op: fc.constantFrom('insertAt' as const, 'removeAt' as const, 'at' as const), index: fc.integer({ min: -2, max: 40 }), value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
);

function apply(d: Deque<number>, model: number[], o: Op): void {
  switch (o.op) {
    case 'push':
      d.push(o.value);
      model.push(o.value);
      return;
    case 'unshift':
      d.unshift(o.value);
      model.unshift(o.value);
      return;
    case 'shift':
      expect(d.shift()).toBe(model.shift());
      return;
    case 'pop':
      expect(d.pop()).toBe(model.pop());
      return;
    case 'clear':
      d.clear();
      model.length = 0;
      return;
    case 'at':
      expect(d.at(o.index)).toBe(o.index < 0 ? undefined : model[o.index]);
      return;
    case 'insertAt': {
      d.insertAt(o.index, o.value);
      model.splice(Math.max(0, Math.min(o.index, model.length)), 0, o.value);
      return;
    }
    case 'removeAt':
      expect(d.removeAt(o.index)).toBe(o.index < 0 || o.index >= model.length ? undefined : model.splice(o.index, 1)[0]);
      return;
  }
}

describe('Deque', () => {
  it('behaves like an array under any sequence of operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
        const d = new Deque<number>(capacity);
        const model: number[] = [];
        for (const o of ops) {
          apply(d, model, o);
          expect(d.length).toBe(model.length);
          expect(d.peek()).toBe(model[0]);
          expect(d.peekLast()).toBe(model[model.length - 1]);
        }
        expect([...d]).toEqual(model);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps FIFO order across many growths and wrap-arounds', () => {
    const d = new Deque<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 1000; i++) d.push(next++);
      for (let i = 0; i < 700; i++) expect(d.shift()).toBe(expected++);
    }
    expect(d.length).toBe(next - expected);
  });
});
