/**
 * The injected clock's primitives: a coarse now() against Date.now(), and the deadline heap that
 * carries every timer of a broker (re-arming one queue's timer, 10,000 queues' timers due at once).
 *   npm run bench -- clock
 */
import { ManualClock } from '../src/util/manual-clock.js';
import { SystemClock } from '../src/util/system-clock.js';
import { bench, header, sink } from './harness.js';

header('Clock reads');
{
  const clock = new SystemClock();
  bench('Date.now()', () => {
    sink.value = Date.now();
  });
  // Within one synchronous run (the bench loop) the system clock reads the wall clock once.
  bench('SystemClock.now() (cached within the turn)', () => {
    sink.value = clock.now();
  });
}

header('Deadline heap (ManualClock drives it, no host timer)');
{
  const clock = new ManualClock(0);
  const others = Array.from({ length: 10_000 }, () => clock.timer(() => undefined));
  others.forEach((t, i) => t.arm(1e12 + i)); // a broker with 10,000 queues' timers armed far ahead
  const t = clock.timer(() => undefined);
  let at = 1e9;
  bench('re-arm one timer among 10,000 armed', () => {
    t.arm(at++);
  });
  bench('arm + cancel one timer among 10,000 armed', () => {
    t.arm(5);
    t.cancel();
  });
}
{
  const clock = new ManualClock(0);
  let fired = 0;
  const timers = Array.from({ length: 10_000 }, () => clock.timer(() => fired++));
  bench('10,000 timers armed, then all fire in one advance', () => {
    const base = clock.now() + 1;
    for (let i = 0; i < timers.length; i++) (timers[i] as ReturnType<typeof clock.timer>).arm(base + (i % 100));
    clock.advance(100);
    sink.value = fired;
  });
}
