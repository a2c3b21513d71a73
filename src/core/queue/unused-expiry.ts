import type { Clock, Timer } from '../clock.js';

/**
 * x-expires: a queue unused for that long is deleted. Used means a consumer on it, a basic.get or a
 * redeclare (touch); the time counts from the last of those, or from when the last consumer left.
 * One clock timer, re-armed only when it fires, so touching costs a clock read and nothing else.
 */
export class UnusedExpiry {
  private readonly clock: Clock;
  /** undefined: no x-expires in force (a policy may set one later). */
  private expires: number | undefined;
  private readonly timer: Timer;
  private lastUsed: number;
  private readonly inUse: () => boolean;

  /** guard runs the timer's work (the queue reports a throw as a fault); expired deletes the queue. */
  constructor(clock: Clock, expires: number | undefined, inUse: () => boolean, guard: (work: () => void) => void, expired: () => void) {
    this.clock = clock;
    this.expires = expires;
    this.inUse = inUse;
    this.lastUsed = clock.now();
    this.timer = clock.timer(() =>
      guard(() => {
        if (this.expires === undefined) return;
        if (!this.inUse() && this.clock.now() - this.lastUsed >= this.expires) expired();
        else this.arm();
      }),
    );
    this.arm();
  }

  touch(): void {
    this.lastUsed = this.clock.now();
  }

  stop(): void {
    this.timer.cancel();
  }

  /** A policy changed x-expires: RabbitMQ restarts the timer (init_exp), counting from the last use. */
  setExpires(expires: number | undefined): void {
    this.expires = expires;
    this.lastUsed = this.clock.now(); // RabbitMQ's init_exp starts a new timer from now
    this.timer.cancel();
    this.arm();
  }

  /**
   * While consumers hold the queue it cannot expire before now + expires; arming at lastUsed +
   * expires then would be a time already past, and the timer would spin until they leave.
   */
  private arm(): void {
    if (this.expires === undefined) return;
    this.timer.arm((this.inUse() ? this.clock.now() : this.lastUsed) + this.expires);
  }
}
