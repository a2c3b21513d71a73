import { TimeSliced } from './time-sliced.js';

/** What a closed connection still has to give back: its channels, exclusive queues, its log line. */
export interface Releasable {
  release(): void;
}

/**
 * Time for releasing closed connections per turn of the event loop. When 2,000 clients drop at
 * once, libuv hands all their 'close' events to one poll phase; releasing each there froze every
 * other client for the sum (68 ms on a quiet machine, with 100,000 queues). Past this budget the
 * rest waits for the next turn (setImmediate, so other sockets' I/O runs in between).
 */
const RELEASE_BUDGET_MS = 4;

/**
 * Closed connections waiting to be released, oldest first, a time-bounded slice per turn. One
 * connection's release is proportional to what it owns (its channels, unacked deliveries, whose
 * requeue is itself sliced, and its exclusive queues), so a slice overshoots the budget by at most
 * one connection's share.
 */
export class ClosingConnections<C extends Releasable> {
  private readonly queue: TimeSliced<C>;
  private readonly released: (c: C) => void;
  private readonly failed: (c: C, err: unknown) => void;

  /**
   * released runs after each connection's release (the server forgets it then); failed gets what a
   * release threw (a bug: the socket is gone already, so it is logged and counted, nothing to close).
   */
  constructor(released: (c: C) => void, failed: (c: C, err: unknown) => void) {
    this.released = released;
    this.failed = failed;
    this.queue = new TimeSliced((c) => this.releaseOne(c), RELEASE_BUDGET_MS);
  }

  get size(): number {
    return this.queue.size;
  }

  add(c: C): void {
    this.queue.add(c);
  }

  /** Releases every one now (broker shutdown: nothing may run after the store closes). */
  flush(): void {
    this.queue.flush();
  }

  private releaseOne(c: C): void {
    try {
      c.release();
    } catch (err) {
      this.failed(c, err);
    } finally {
      this.released(c);
    }
  }
}
