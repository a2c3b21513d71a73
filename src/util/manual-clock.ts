import type { Clock, Timer } from '../core/clock.js';
import { DeadlineTimer, DeadlineTimers } from './deadline-timers.js';

/** A runaway guard: a timer that keeps re-arming itself at the current time would loop forever. */
const MAX_BATCHES_PER_ADVANCE = 1_000_000;

/**
 * A clock that moves only when told: for tests (and an embedder's test kit). advance() fires every
 * timer that comes due on the way, in deadline order, synchronously, each seeing now() equal to its
 * own deadline; timers armed meanwhile that fall within the advance fire too.
 */
export class ManualClock implements Clock {
  private time: number;
  private readonly timers = new DeadlineTimers(() => undefined);
  private readonly batch: DeadlineTimer[] = [];

  /** Starts at a fixed, realistic epoch time, so timestamps in tests are reproducible. */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  timer(fire: () => void): Timer {
    return this.timers.timer(fire);
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): void {
    this.advanceTo(this.time + ms);
  }

  advanceTo(target: number): void {
    for (let n = 0; this.timers.nextDeadline <= target; n++) {
      if (n >= MAX_BATCHES_PER_ADVANCE) throw new Error('ManualClock: a timer keeps re-arming itself without time passing');
      this.time = Math.max(this.time, this.timers.nextDeadline);
      this.timers.takeDue(this.time, this.batch);
      const batch = this.batch.splice(0);
      for (const t of batch) t.fireIfDue();
    }
    this.time = Math.max(this.time, target);
  }
}
