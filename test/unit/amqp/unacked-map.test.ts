import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnackedMap, type Delivery, type DeliveryList } from '../../../src/amqp/unacked-map.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Consumer } from '../../../src/amqp/consumer.js';
import type { QueueRef } from '../../../src/core/queue/queue-ref.js';

/**
 * A channel's unacknowledged deliveries against a sorted-list model: single and multiple settles
 * (tag 0 with multiple = all, an unknown tag refused), restore after a rolled-back transaction,
 * and the oldest delivery for the consumer timeout. Tags jump by up to 600 (no-ack deliveries
 * between), so settles span, split and empty segments.
 */

const queues = [{ name: 'a' }, { name: 'b' }] as unknown as QueueRef[];
const consumer = { tag: 'c1' } as unknown as Consumer;

// Every field distinct from the tag and from each other, so a mixed-up column shows.
function delivery(tag: number, queue: number): Delivery {
  return { tag, queue: queues[queue] as QueueRef, seq: tag * 3 + 2 ** 40, consumer: queue === 0 ? consumer : undefined, at: tag * 7 + 0.5 };
}

type Op =
  | { readonly op: 'add'; readonly queue: number; readonly gap: number }
  | { readonly op: 'take'; readonly pick: number; readonly multiple: boolean; readonly unknown: boolean }
  | { readonly op: 'restore' | 'takeAll' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('add' as const), queue: fc.integer({ min: 0, max: 1 }), gap: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 600 })) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('take' as const), pick: fc.nat(), multiple: fc.boolean(), unknown: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('restore' as const, 'takeAll' as const) }) },
);

/** Adds tags 1..n, each from a fresh object; returns weak references to those objects. */
function fill(map: UnackedMap, n: number): WeakRef<Delivery>[] {
  const refs: WeakRef<Delivery>[] = [];
  for (let tag = 1; tag <= n; tag++) {
    const d = delivery(tag, tag % 2);
    refs.push(new WeakRef(d));
    map.add(d);
  }
  return refs;
}

const listed = (l: DeliveryList | undefined): Delivery[] | undefined => l?.toArray();

describe('UnackedMap', () => {
  it('settles exactly what the spec says, in tag order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new UnackedMap();
        let model: Delivery[] = [];
        let lastTaken: Delivery[] = [];
        let lastList: DeliveryList | undefined;
        let tag = 1;
        for (const o of ops) {
          if (o.op === 'add') {
            tag += o.gap;
            const d = delivery(tag, o.queue);
            map.add(d);
            model.push(d);
          } else if (o.op === 'take') {
            const wanted = o.unknown || model.length === 0 ? (o.multiple && o.pick % 3 === 0 ? 0 : tag + 5) : (model[o.pick % model.length] as Delivery).tag;
            const taken = map.take(wanted, o.multiple);
            const got = listed(taken);
            if (taken !== undefined) {
              expect(taken.length).toBe(got?.length);
              lastList = taken;
            }
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
            if (lastList !== undefined) map.restore(lastList);
            lastList = undefined;
            model = [...model, ...lastTaken].sort((a, b) => a.tag - b.tag);
            lastTaken = [];
          } else {
            lastList = map.takeAll();
            expect(lastList.toArray()).toEqual(model);
            lastTaken = model;
            model = [];
          }
          expect(map.size).toBe(model.length);
          expect(map.oldest()).toEqual(model[0]);
          for (const d of model) expect(map.get(d.tag)).toEqual(d);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps no object per delivery: what add() was given can be collected while the delivery stays unacked', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const map = new UnackedMap();
    const refs = fill(map, 1000);
    await new Promise((r) => setTimeout(r, 0)); // WeakRefs made in this turn hold until it ends
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(map.size).toBe(1000);
    expect(map.get(501)).toEqual(delivery(501, 1));
    expect(map.take(1000, true)?.toArray()).toEqual(Array.from({ length: 1000 }, (_, i) => delivery(i + 1, (i + 1) % 2)));
  });
});

describe('UnackedMap.forEachOf', () => {
  it("visits one queue's deliveries in tag order, across segments, and stops when asked", () => {
    const map = new UnackedMap();
    for (const [tag, q] of [[1, 0], [2, 1], [300, 0], [301, 1], [900, 0]] as const) map.add(delivery(tag, q));
    const seen: number[] = [];
    map.forEachOf(queues[0] as QueueRef, (tag, seq, consumerTag, at) => {
      const d = delivery(tag, 0);
      expect([seq, consumerTag, at]).toEqual([d.seq, d.consumer?.tag, d.at]);
      seen.push(tag);
      return true;
    });
    expect(seen).toEqual([1, 300, 900]);
    const first: number[] = [];
    map.forEachOf(queues[0] as QueueRef, (tag) => first.push(tag) < 2);
    expect(first).toEqual([1, 300]);
  });
});
