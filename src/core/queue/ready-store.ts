import { Deque } from '../../util/deque.js';
import { EntryState, type QueueEntry } from './entry.js';

/** A plain counter several stores add to (one per broker, so brokers in one process stay apart). */
export interface HeldBytes {
  bytes: number;
}

/**
 * Ready messages: one deque per priority level (one level for a plain queue), highest first,
 * FIFO within a level. Entries removed from the middle (expired) become tombstones that are
 * skipped on the way out, so removal is O(1) however long the queue.
 */
export class ReadyStore {
  private readonly levels: Deque<QueueEntry>[];
  private readonly live: number[];
  private top: number;
  count = 0;
  bytes = 0;
  /** The broker's count of message bytes (properties + body) held in memory, shared by its queues. */
  private readonly held: HeldBytes;

  constructor(maxPriority: number, held: HeldBytes = { bytes: 0 }) {
    this.held = held;
    this.levels = Array.from({ length: maxPriority + 1 }, () => new Deque<QueueEntry>());
    this.live = new Array<number>(maxPriority + 1).fill(0);
    this.top = maxPriority;
  }

  push(e: QueueEntry): void {
    e.state = EntryState.Ready;
    (this.levels[e.priority] as Deque<QueueEntry>).push(e);
    this.added(e);
  }

  /** Back to its original position within its priority level (by enqueue order). */
  requeue(e: QueueEntry): void {
    e.state = EntryState.Ready;
    const level = this.levels[e.priority] as Deque<QueueEntry>;
    const head = level.peek();
    if (head === undefined || e.seq < head.seq) level.unshift(e);
    else level.insertAt(insertIndex(level, e.seq), e);
    this.added(e);
  }

  peek(): QueueEntry | undefined {
    for (let p = this.top; p >= 0; p--) {
      if (this.live[p] === 0) continue;
      const level = this.levels[p] as Deque<QueueEntry>;
      let head = level.peek();
      while (head !== undefined && head.state !== EntryState.Ready) {
        level.shift();
        head = level.peek();
      }
      return head;
    }
    return undefined;
  }

  /** Takes the next live entry; the caller sets its new state. */
  shift(): QueueEntry | undefined {
    const e = this.peek();
    if (e === undefined) return undefined;
    (this.levels[e.priority] as Deque<QueueEntry>).shift();
    this.removed(e);
    return e;
  }

  /** Marks a ready entry gone wherever it sits; the deque drops it when it reaches the head. */
  remove(e: QueueEntry): void {
    if (e.state !== EntryState.Ready) return;
    e.state = EntryState.Removed;
    this.removed(e);
    const level = this.levels[e.priority] as Deque<QueueEntry>;
    if (level.peek() === e) level.shift();
  }

  /**
   * The live entries in delivery order (highest priority first, FIFO within a level), for browsing
   * (core/inspect): reads only, nothing is shifted or counted. visit returns false to stop.
   */
  forEachReady(visit: (e: QueueEntry) => boolean): void {
    for (let p = this.top; p >= 0; p--) {
      if (this.live[p] === 0) continue;
      for (const e of this.levels[p] as Deque<QueueEntry>) if (e.state === EntryState.Ready && !visit(e)) return;
    }
  }

  /**
   * A ready entry is taken out of the middle for a move elsewhere (core/inspect/redrive): uncounted and
   * no longer delivered, as remove(), but left as claimed (Unacked), so reinstate() can put it back.
   */
  claim(e: QueueEntry): boolean {
    if (e.state !== EntryState.Ready) return false;
    this.remove(e);
    e.state = EntryState.Unacked;
    return true;
  }

  /** A claimed entry goes back where it was: in place while its slot is still in the deque, else by seq. */
  reinstate(e: QueueEntry): void {
    const level = this.levels[e.priority] as Deque<QueueEntry>;
    if (level.at(insertIndex(level, e.seq)) !== e) return this.requeue(e);
    e.state = EntryState.Ready;
    this.added(e);
  }

  /** Removes every live entry and returns them (purge, delete). */
  takeAll(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (let p = this.top; p >= 0; p--) {
      const level = this.levels[p] as Deque<QueueEntry>;
      for (const e of level) {
        if (e.state !== EntryState.Ready) continue;
        e.state = EntryState.Removed;
        out.push(e);
      }
      level.clear();
      this.live[p] = 0;
    }
    for (const e of out) this.held.bytes -= e.message.bodySize + e.message.rawProperties.length;
    this.count = 0;
    this.bytes = 0;
    return out;
  }

  private added(e: QueueEntry): void {
    this.live[e.priority] = (this.live[e.priority] as number) + 1;
    this.count++;
    this.bytes += e.message.bodySize;
    this.held.bytes += e.message.bodySize + e.message.rawProperties.length;
  }

  private removed(e: QueueEntry): void {
    this.live[e.priority] = (this.live[e.priority] as number) - 1;
    this.count--;
    this.bytes -= e.message.bodySize;
    this.held.bytes -= e.message.bodySize + e.message.rawProperties.length;
  }
}

function insertIndex(level: Deque<QueueEntry>, seq: number): number {
  let lo = 0;
  let hi = level.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((level.at(mid) as QueueEntry).seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
