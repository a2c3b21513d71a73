import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Message } from '../../../../src/core/message.js';
import { EntryState, type QueueEntry } from '../../../../src/core/queue/entry.js';
import { ReadyStore } from '../../../../src/core/queue/ready-store.js';

/**
 * Ready messages against a model: the next entry out is always the live one with the highest
 * priority, and within a priority the earliest enqueued, whatever mix of pushes, middle removals
 * (expiry), requeues to the original position and purges came before; count and bytes agree.
 */

const EMPTY_PROPS = Buffer.from([0, 0]);

function entry(seq: number, priority: number, size: number): QueueEntry {
  return {
    message: new Message('', 'q', EMPTY_PROPS, Buffer.alloc(size)),
    seq,
    priority,
    redelivered: false,
    returnCount: 0,
    expiresAt: 0,
    state: EntryState.Ready,
    inHeap: false,
    location: undefined,
  };
}

type Op =
  | { readonly op: 'push'; readonly priority: number; readonly size: number }
  | { readonly op: 'shift' | 'takeAll' }
  | { readonly op: 'remove' | 'requeue'; readonly pick: number };

const op = (maxPriority: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 10, arbitrary: fc.record({ op: fc.constant('push' as const), priority: fc.integer({ min: 0, max: maxPriority }), size: fc.integer({ min: 0, max: 64 }) }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('shift' as const) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('remove' as const, 'requeue' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('takeAll' as const) }) },
  );

const order = (a: QueueEntry, b: QueueEntry): number => b.priority - a.priority || a.seq - b.seq;

describe('ReadyStore', () => {
  it('hands out the highest priority first, FIFO within a priority, through removals and requeues', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }).chain((max) => fc.tuple(fc.constant(max), fc.array(op(max), { maxLength: 200 }))),
        ([maxPriority, ops]) => {
          const store = new ReadyStore(maxPriority);
          const live: QueueEntry[] = [];
          const taken: QueueEntry[] = [];
          let seq = 0;
          for (const o of ops) {
            switch (o.op) {
              case 'push': {
                const e = entry(seq++, o.priority, o.size);
                store.push(e);
                live.push(e);
                break;
              }
              case 'shift': {
                live.sort(order);
                const expected = live.shift();
                const got = store.shift();
                expect(got).toBe(expected);
                if (got !== undefined) {
                  got.state = EntryState.Unacked;
                  taken.push(got);
                }
                break;
              }
              case 'remove': {
                if (live.length === 0) break;
                const [e] = live.splice(o.pick % live.length, 1);
                store.remove(e as QueueEntry);
                break;
              }
              case 'requeue': {
                if (taken.length === 0) break;
                const [e] = taken.splice(o.pick % taken.length, 1);
                store.requeue(e as QueueEntry);
                live.push(e as QueueEntry);
                break;
              }
              case 'takeAll': {
                const all = store.takeAll();
                expect(new Set(all)).toEqual(new Set(live));
                live.length = 0;
                break;
              }
            }
            expect(store.count).toBe(live.length);
            expect(store.bytes).toBe(live.reduce((n, e) => n + e.message.bodySize, 0));
            live.sort(order);
            expect(store.peek()).toBe(live[0]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
