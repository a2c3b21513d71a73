import { MAX_TIMER_MS } from './expiry.js';

/**
 * One re-armable timer of a queue (x-expires; the paged tail's expiry): at most one pending, unref'd
 * so it never holds the process open, and capped at setTimeout's ceiling (a longer wait fires early
 * and the owner re-arms it).
 */
export class QueueTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;
  private readonly fire: () => void;

  constructor(fire: () => void) {
    this.fire = fire;
  }

  /** When it fires next; Infinity when not armed. */
  get armedAt(): number {
    return this.at;
  }

  arm(at: number, now: number): void {
    this.clear();
    this.at = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Infinity;
      this.fire();
    }, Math.min(Math.max(at - now, 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}
