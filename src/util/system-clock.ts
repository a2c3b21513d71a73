import type { Clock, Timer } from '../core/clock.js';
import { DeadlineTimer, DeadlineTimers } from './deadline-timers.js';

/** setTimeout's ceiling: a later deadline is reached in steps (the host timer fires early and is re-armed). */
const MAX_HOST_DELAY_MS = 2 ** 31 - 1;

/**
 * The broker's clock: the wall clock read once per event-loop turn (the first now() of a turn reads
 * it; a microtask forgets it when the turn's work is done), and every timer of the broker in one
 * deadline heap behind a single unref'd setTimeout, so the heap never holds the process open and a
 * thousand queues with TTL cost one host timer. A timer that throws is reported to onError; the
 * others in its batch still fire.
 */
export class SystemClock implements Clock {
  private cached = 0;
  private fresh = false;
  private readonly timers = new DeadlineTimers(() => this.reschedule());
  private host: NodeJS.Timeout | undefined;
  private hostAt = Infinity;
  private readonly batch: DeadlineTimer[] = [];
  private readonly onError: (err: unknown) => void;
  /** The time source: the wall clock, or (a test kit's clock) the wall clock moved ahead. */
  private readonly wall: () => number;

  constructor(onError: (err: unknown) => void = rethrowLater, wall: () => number = Date.now) {
    this.onError = onError;
    this.wall = wall;
  }

  now(): number {
    if (!this.fresh) {
      this.cached = this.wall();
      this.fresh = true;
      queueMicrotask(this.forget);
    }
    return this.cached;
  }

  timer(fire: () => void): Timer {
    return this.timers.timer(fire);
  }

  /** Cancels the host timer (the broker stopped); armed timers stay armed but no longer fire. */
  stop(): void {
    if (this.host !== undefined) clearTimeout(this.host);
    this.host = undefined;
    this.hostAt = Infinity;
  }

  private readonly forget = (): void => {
    this.fresh = false;
  };

  /** The earliest deadline moved earlier than the host timer: move the host timer. A later one is left alone (it fires early, harmlessly). */
  private reschedule(): void {
    const next = this.timers.nextDeadline;
    if (next >= this.hostAt) return;
    if (this.host !== undefined) clearTimeout(this.host);
    this.hostAt = next;
    this.host = setTimeout(this.run, Math.min(Math.max(next - this.wall(), 0), MAX_HOST_DELAY_MS));
    this.host.unref();
  }

  /** Fires every timer due now, at once (a test clock that was moved ahead); the host timer is re-armed for the rest. */
  protected fireDue(): void {
    if (this.host !== undefined) clearTimeout(this.host);
    this.run();
  }

  private readonly run = (): void => {
    this.host = undefined;
    this.hostAt = Infinity;
    // A precise read: the host timer is due now, and a cached time from earlier in this turn might not be.
    this.cached = this.wall();
    if (!this.fresh) {
      this.fresh = true;
      queueMicrotask(this.forget);
    }
    const batch = this.batch;
    this.timers.takeDue(this.cached, batch);
    for (let i = 0; i < batch.length; i++) {
      try {
        (batch[i] as DeadlineTimer).fireIfDue();
      } catch (err) {
        this.onError(err);
      }
    }
    batch.length = 0;
    if (this.timers.size > 0) this.reschedule();
  };
}

function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
