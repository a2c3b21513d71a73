import ms from 'ms';
import { SystemClock } from '../util/system-clock.js';

/** A number of milliseconds, or a string `ms` reads: '30s', '5m', '1.5h'. */
export type Duration = number | string;

export function durationMs(d: Duration): number {
  const v = typeof d === 'number' ? d : ms(d as ms.StringValue);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`not a duration: ${JSON.stringify(d)} (milliseconds, or a string such as '30s')`);
  }
  return v;
}

/**
 * The test broker's clock: the wall clock, so a test that waits sees TTLs and delays as it would in
 * production, and advance() to jump ahead: every timer that comes due on the way (message TTL, queue
 * expiry, delayed messages, consumer timeouts, x-death times) fires before advance() returns. Time
 * only moves forward; the jump stays for the rest of the broker's life.
 */
export class TestClock extends SystemClock {
  private readonly skew: { ms: number };

  constructor(onError?: (err: unknown) => void, startOffset = 0) {
    const skew = { ms: startOffset };
    super(onError, () => Date.now() + skew.ms);
    this.skew = skew;
  }

  /** How far ahead of the wall clock this clock runs, in ms. */
  get offset(): number {
    return this.skew.ms;
  }

  advance(by: Duration): void {
    this.skew.ms += durationMs(by);
    this.fireDue();
  }
}
