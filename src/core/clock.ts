/**
 * Time as core sees it. Core never reads the wall clock or starts a host timer itself: the broker
 * passes a Clock in (src/util/system-clock.ts), and unit tests pass a ManualClock
 * (src/util/manual-clock.ts) that they advance, so TTL, queue expiry and delays run without waiting.
 */
export interface Clock {
  /**
   * Milliseconds since the epoch. Coarse: the system clock reads the wall clock once per event-loop
   * turn, so a burst of publishes in one socket read costs one read, and all of them agree.
   */
  now(): number;
  /**
   * A re-armable one-shot timer. Owners keep one per purpose (a queue's message expiry, its
   * x-expires, a delayed exchange's next release), never one per message: per-message order lives
   * in the owner's own heap, and only its earliest deadline is armed here.
   */
  timer(fire: () => void): Timer;
}

export interface Timer {
  /**
   * Fires once, at or after `at` (clock milliseconds; a time already past fires on the next turn).
   * Arming again replaces the deadline. Any delay works, also beyond setTimeout's 2^31-1 ms.
   */
  arm(at: number): void;
  cancel(): void;
  /** The armed deadline; Infinity when not armed. */
  readonly armedAt: number;
}
