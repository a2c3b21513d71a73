import { MinHeap } from '../../util/min-heap.js';
import type { Clock, Timer } from '../clock.js';
import { EntryState, type QueueEntry } from './entry.js';

/**
 * Per-message expiry for one queue: a heap of entries by expiry time and one timer for the
 * earliest, so an expired message leaves wherever it sits (RabbitMQ only drops at the head)
 * without a timer per message. Entries delivered meanwhile are skipped and re-added on requeue.
 */
export class ExpiryTracker {
  private readonly heap = new MinHeap<QueueEntry>();
  private readonly clock: Clock;
  private readonly timer: Timer;
  /** Entries in the heap that left the ready state (delivered, dropped): compacted away in bulk. */
  private stale = 0;
  private readonly onExpired: (entry: QueueEntry) => void;

  constructor(clock: Clock, onExpired: (entry: QueueEntry) => void) {
    this.clock = clock;
    this.onExpired = onExpired;
    this.timer = clock.timer(this.fire);
  }

  get size(): number {
    return this.heap.size;
  }

  track(entry: QueueEntry): void {
    if (entry.expiresAt === 0 || entry.inHeap) return;
    entry.inHeap = true;
    this.heap.push(entry.expiresAt, entry);
    if (entry.expiresAt < this.timer.armedAt) this.timer.arm(entry.expiresAt);
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
  sweep(now = this.clock.now()): number {
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
    this.timer.cancel();
    this.heap.clear();
    this.stale = 0;
  }

  private readonly fire = (): void => {
    this.sweep();
    const next = this.heap.peekKey();
    if (next !== undefined) this.timer.arm(next);
  };
}
