import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/util/manual-clock.js';

/** One step of a random schedule: arm timer i at now + delay, cancel it, or move the clock. */
type Step = { op: 'arm'; timer: number; delay: number } | { op: 'cancel'; timer: number } | { op: 'advance'; ms: number };

/** Enough timers for a deep heap; short delays, so many share a deadline (ties must keep arming order). */
const TIMERS = 100;

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('arm' as const), timer: fc.nat(TIMERS - 1), delay: fc.integer({ min: -3, max: 40 }) }), weight: 8 },
  fc.record({ op: fc.constant('cancel' as const), timer: fc.nat(TIMERS - 1) }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.nat(8) }),
);

describe('the clock timer heap (through ManualClock)', () => {
  it('fires each armed timer once, at its latest deadline, in (deadline, arming order); cancelled and re-armed ones as the reference says', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 50, maxLength: 400 }), (steps) => {
        const clock = new ManualClock(1000);
        const fired: [number, number][] = [];
        const timers = Array.from({ length: TIMERS }, (_, i) => clock.timer(() => fired.push([i, clock.now()])));
        // The reference: a map of timer -> (deadline, arming sequence), scanned whole on every advance.
        const armed = new Map<number, { at: number; seq: number }>();
        const expected: [number, number][] = [];
        let now = 1000;
        let seq = 0;
        for (const s of steps) {
          if (s.op === 'arm') {
            timers[s.timer]!.arm(now + s.delay);
            armed.set(s.timer, { at: now + s.delay, seq: seq++ });
          } else if (s.op === 'cancel') {
            timers[s.timer]!.cancel();
            armed.delete(s.timer);
          } else {
            const target = now + s.ms;
            // Nothing re-arms while firing here, so the due ones fire in one sorted pass.
            const due = [...armed].filter(([, a]) => a.at <= target).sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq);
            for (const [i, a] of due) {
              armed.delete(i);
              now = Math.max(now, a.at);
              expected.push([i, now]);
            }
            now = target;
            clock.advance(s.ms);
          }
        }
        expect(timers.map((t, i) => t.armedAt === (armed.get(i)?.at ?? Infinity))).not.toContain(false);
        expect(fired).toEqual(expected);
        expect(clock.pending).toBe(armed.size);
        expect(clock.now()).toBe(now);
      }),
      { numRuns: 100 },
    );
  });

  it('a timer cancelled by an earlier one due at the same time does not fire; one re-armed into the same advance fires again', () => {
    const clock = new ManualClock(0);
    const log: string[] = [];
    const b = clock.timer(() => log.push('b'));
    const a = clock.timer(() => {
      log.push('a');
      b.cancel();
    });
    const c = clock.timer(() => {
      log.push(`c@${clock.now()}`);
      if (log.length < 4) c.arm(clock.now() + 5);
    });
    a.arm(10);
    b.arm(10);
    c.arm(10);
    clock.advance(20);
    expect(log).toEqual(['a', 'c@10', 'c@15', 'c@20']);
    expect(clock.pending).toBe(0);
  });

  it('a timer that keeps re-arming itself at the present is reported, not an endless loop', () => {
    const clock = new ManualClock(0);
    const t = clock.timer(() => t.arm(clock.now()));
    t.arm(1);
    expect(() => clock.advance(1)).toThrow(/re-arming itself/);
  });
});
