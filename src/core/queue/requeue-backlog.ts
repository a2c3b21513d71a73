/** Requeues per turn of the event loop: 1M in one go stalled other clients for 0.2 s; a slice is a few ms. */
export const REQUEUE_SLICE = 20_000;

/**
 * Deliveries (by seq) on their way back into a queue in bulk (a channel closing with a million unacked
 * deliveries, basic.recover, a nack of many): requeued a slice per turn (setImmediate, so other
 * sockets' I/O runs in between). Each batch is in ascending sequence order and is walked from its
 * end, and batches come highest first, so each requeue is an O(1) insert at the head; the queue
 * ends up in exactly the order a one-go requeue gives, every entry at its own sequence position.
 * A seq no longer outstanding when its turn comes (the queue was deleted) is skipped by `requeue`.
 */
export class RequeueBacklog {
  /** Entries not yet requeued (they count as the queue's messages already). */
  count = 0;
  private batches: (readonly number[])[] = [];
  /** Entries of the head batch not yet requeued; -1 before it starts. */
  private cursor = -1;
  private scheduled = false;
  private readonly requeue: (seq: number) => void;
  private readonly done: () => void;

  /** requeue puts one delivery back; done runs after the last slice. */
  constructor(requeue: (seq: number) => void, done: () => void) {
    this.requeue = requeue;
    this.done = done;
  }

  add(seqs: readonly number[]): void {
    this.batches.push(seqs);
    this.count += seqs.length;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  /** Requeues everything left now (basic.get, purge, drop-head need the whole queue). */
  finish(): void {
    if (this.count > 0) this.take(Infinity);
  }

  clear(): void {
    this.batches = [];
    this.cursor = -1;
    this.count = 0;
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    if (this.count === 0) return;
    this.take(REQUEUE_SLICE);
    if (this.count > 0) {
      this.scheduled = true;
      setImmediate(this.slice);
    } else {
      this.done();
    }
  };

  private take(limit: number): void {
    while (limit > 0 && this.batches.length > 0) {
      const batch = this.batches[0] as readonly number[];
      if (this.cursor < 0) this.cursor = batch.length;
      while (limit > 0 && this.cursor > 0) {
        const seq = batch[--this.cursor] as number;
        this.count--; // first: the entry's own requeue may schedule a drain, which checks count
        limit--;
        this.requeue(seq);
      }
      if (this.cursor === 0) {
        this.batches.shift();
        this.cursor = -1;
      }
    }
  }
}
