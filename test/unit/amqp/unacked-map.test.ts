import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnackedMap, type Delivery } from '../../../src/amqp/unacked-map.js';
import type { Queue, QueueEntry } from '../../../src/core/queue/queue.js';

/**
 * A channel's unacknowledged deliveries against a sorted-list model: single and multiple settles
 * (tag 0 with multiple = all, an unknown tag refused), restore after a rolled-back transaction,
 * dropping a deleted queue's deliveries, and the oldest delivery for the consumer timeout.
 */

const queues = [{ name: 'a' }, { name: 'b' }] as unknown as Queue[];

function delivery(tag: number, queue: number): Delivery {
  return { tag, queue: queues[queue] as Queue, entry: {} as QueueEntry, consumer: undefined, at: tag };
}

type Op =
  | { readonly op: 'add'; readonly queue: number }
  | { readonly op: 'take'; readonly pick: number; readonly multiple: boolean; readonly unknown: boolean }
  | { readonly op: 'restore' | 'dropQueue' | 'takeAll'; readonly queue: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('add' as const), queue: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('take' as const), pick: fc.nat(), multiple: fc.boolean(), unknown: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('restore' as const, 'dropQueue' as const, 'takeAll' as const), queue: fc.integer({ min: 0, max: 1 }) }) },
);

describe('UnackedMap', () => {
  it('settles exactly what the spec says, in tag order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new UnackedMap();
        let model: Delivery[] = [];
        let lastTaken: Delivery[] = [];
        let tag = 1;
        for (const o of ops) {
          if (o.op === 'add') {
            const d = delivery(tag++, o.queue);
            map.add(d);
            model.push(d);
          } else if (o.op === 'take') {
            const wanted = o.unknown || model.length === 0 ? (o.multiple && o.pick % 3 === 0 ? 0 : tag + 5) : (model[o.pick % model.length] as Delivery).tag;
            const got = map.take(wanted, o.multiple);
            if (wanted === 0 && o.multiple) {
              expect(got).toEqual(model);
              lastTaken = model;
              model = [];
            } else if (!model.some((d) => d.tag === wanted)) {
              expect(got).toBeUndefined();
            } else {
              const expected = o.multiple ? model.filter((d) => d.tag <= wanted) : model.filter((d) => d.tag === wanted);
              expect(got).toEqual(expected);
              model = model.filter((d) => !expected.includes(d));
              lastTaken = expected;
            }
          } else if (o.op === 'restore') {
            map.restore(lastTaken);
            model = [...model, ...lastTaken].sort((a, b) => a.tag - b.tag);
            lastTaken = [];
          } else if (o.op === 'dropQueue') {
            const q = queues[o.queue] as Queue;
            expect(map.dropQueue(q)).toEqual(model.filter((d) => d.queue === q));
            model = model.filter((d) => d.queue !== q);
          } else {
            expect(map.takeAll()).toEqual(model);
            model = [];
          }
          expect(map.size).toBe(model.length);
          expect(map.oldest()).toBe(model[0]);
          for (const d of model) expect(map.get(d.tag)).toBe(d);
        }
      }),
      { numRuns: 400 },
    );
  });
});
