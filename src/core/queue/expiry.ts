import { MinHeap } from '../../util/min-heap.js';
import { EntryState, type QueueEntry } from './entry.js';

/** setTimeout's ceiling: longer waits are re-armed in steps (delays beyond ~24.8 days work). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Per-message expiry for one queue: a heap of entries by expiry time and one timer for the
 * earliest, so an expired message leaves wherever it sits (RabbitMQ only drops at the head)
 * without a timer per message. Entries delivered meanwhile are skipped and re-added on requeue.
 */
export class ExpiryTracker {
  private readonly heap = new MinHeap<QueueEntry>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  /** Entries in the heap that left the ready state (delivered, dropped): compacted away in bulk. */
  private stale = 0;
  private readonly onExpired: (entry: QueueEntry) => void;

  constructor(onExpired: (entry: QueueEntry) => void) {
    this.onExpired = onExpired;
  }

  get size(): number {
    return this.heap.size;
  }

  track(entry: QueueEntry): void {
    if (entry.expiresAt === 0 || entry.inHeap) return;
    entry.inHeap = true;
    this.heap.push(entry.expiresAt, entry);
    if (entry.expiresAt < this.armedFor) this.arm(entry.expiresAt);
  }

  /**
   * The entry left the ready state. Its heap slot stays until compaction, which runs when most
   * of the heap is stale, so a fast consumer of long-TTL messages does not grow the heap.
   */
  untrack(entry: QueueEntry): void {
    if (!entry.inHeap) return;
    if (++this.stale > 1024 && this.stale * 2 > this.heap.size) {
      this.heap.retain((e) => {
        const keep = e.state === EntryState.Ready;
        if (!keep) e.inHeap = false;
        return keep;
      });
      this.stale = 0;
    }
  }

  /** Expires everything due; returns how many ready entries it expired. */
  sweep(now = Date.now()): number {
    let expired = 0;
    for (;;) {
      const key = this.heap.peekKey();
      if (key === undefined || key > now) break;
      const entry = this.heap.pop() as QueueEntry;
      entry.inHeap = false;
      if (entry.state === EntryState.Ready) {
        this.onExpired(entry);
        expired++;
      }
    }
    return expired;
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.heap.clear();
    this.stale = 0;
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = at;
    const delay = Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.sweep();
    const next = this.heap.peekKey();
    if (next !== undefined) this.arm(next);
  };
}
