import { performance } from 'node:perf_hooks';
import { Deque } from '../util/deque.js';

/**
 * Items waiting for one piece of work each, oldest first, a time-bounded slice per turn of the event
 * loop: past the budget the rest waits for the next turn (setImmediate, so timers and other
 * sockets' I/O run in between). A slice overshoots the budget by at most one item's work, plus what
 * that work leaves for later in the same turn (a destroyed socket's close callbacks).
 */
export class TimeSliced<T> {
  private readonly pending = new Deque<T>();
  private scheduled = false;
  private readonly run: (item: T) => void;
  private readonly budgetMs: number;

  /** run must not throw (it is the caller's to catch and report). */
  constructor(run: (item: T) => void, budgetMs: number) {
    this.run = run;
    this.budgetMs = budgetMs;
  }

  get size(): number {
    return this.pending.length;
  }

  add(item: T): void {
    this.pending.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  /** Runs every one now (broker shutdown). */
  flush(): void {
    for (let item = this.pending.shift(); item !== undefined; item = this.pending.shift()) this.run(item);
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    const start = performance.now();
    for (let item = this.pending.shift(); item !== undefined; item = this.pending.shift()) {
      this.run(item);
      if (this.pending.length > 0 && performance.now() - start >= this.budgetMs) {
        this.scheduled = true;
        setImmediate(this.slice);
        return;
      }
    }
  };
}
