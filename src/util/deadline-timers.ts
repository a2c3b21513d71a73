import type { Timer } from '../core/clock.js';

/**
 * Every timer of one clock in one binary min-heap by (deadline, arming order), so ties fire FIFO.
 * Each timer knows its slot, so re-arming and cancelling are O(log n) and leave no stale entries
 * behind; arming allocates nothing. A clock drives the whole heap with one host timer for the
 * earliest deadline (SystemClock) or by hand (ManualClock).
 */
export class DeadlineTimers {
  private readonly heap: DeadlineTimer[] = [];
  private nextSeq = 0;
  /** Called when the earliest deadline may have moved earlier (the host timer may need moving). */
  private readonly earlier: () => void;

  constructor(earlier: () => void) {
    this.earlier = earlier;
  }

  get size(): number {
    return this.heap.length;
  }

  /** The earliest deadline; Infinity when nothing is armed. */
  get nextDeadline(): number {
    return this.heap.length === 0 ? Infinity : (this.heap[0] as DeadlineTimer).at;
  }

  timer(fire: () => void): Timer {
    return new DeadlineTimer(this, fire);
  }

  /**
   * Takes every timer due at `now` out of the heap into `out` (in deadline order), marked due:
   * the caller fires each one that is still due, so a timer cancelled or re-armed by an earlier
   * one in the same batch does not fire. Timers armed while the batch fires wait for the next one.
   */
  takeDue(now: number, out: DeadlineTimer[]): void {
    const heap = this.heap;
    while (heap.length > 0 && (heap[0] as DeadlineTimer).at <= now) {
      const t = heap[0] as DeadlineTimer;
      this.removeAt(0);
      t.due = true;
      out.push(t);
    }
  }

  /** @internal */
  set(t: DeadlineTimer, at: number): void {
    t.due = false;
    if (t.index >= 0) this.removeAt(t.index);
    t.at = at;
    t.seq = this.nextSeq++;
    t.index = this.heap.length;
    this.heap.push(t);
    this.up(t.index);
    if (t.index === 0) this.earlier();
  }

  /** @internal */
  unset(t: DeadlineTimer): void {
    t.due = false;
    if (t.index >= 0) this.removeAt(t.index);
    t.at = Infinity;
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const gone = heap[i] as DeadlineTimer;
    const last = heap.pop() as DeadlineTimer;
    gone.index = -1;
    if (last === gone) return;
    heap[i] = last;
    last.index = i;
    this.down(i);
    this.up(last.index);
  }

  private less(a: DeadlineTimer, b: DeadlineTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private place(t: DeadlineTimer, i: number): void {
    this.heap[i] = t;
    t.index = i;
  }

  private up(i: number): void {
    const heap = this.heap;
    const t = heap[i] as DeadlineTimer;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as DeadlineTimer;
      if (!this.less(t, parent)) break;
      this.place(parent, i);
      i = parentIndex;
    }
    this.place(t, i);
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const t = heap[i] as DeadlineTimer;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && this.less(heap[r] as DeadlineTimer, heap[l] as DeadlineTimer) ? r : l;
      if (!this.less(heap[child] as DeadlineTimer, t)) break;
      this.place(heap[child] as DeadlineTimer, i);
      i = child;
    }
    this.place(t, i);
  }
}

export class DeadlineTimer implements Timer {
  at = Infinity;
  seq = 0;
  /** Its slot in the heap; -1 when not in it. */
  index = -1;
  /** Taken out by takeDue and not re-armed or cancelled since: it should fire. */
  due = false;
  readonly fire: () => void;
  private readonly owner: DeadlineTimers;

  constructor(owner: DeadlineTimers, fire: () => void) {
    this.owner = owner;
    this.fire = fire;
  }

  get armedAt(): number {
    return this.at;
  }

  arm(at: number): void {
    this.owner.set(this, at);
  }

  cancel(): void {
    this.owner.unset(this);
  }

  /** Fires it if it is still due; the batch it came in may have cancelled or re-armed it. */
  fireIfDue(): void {
    if (!this.due) return;
    this.due = false;
    this.at = Infinity;
    this.fire();
  }
}
