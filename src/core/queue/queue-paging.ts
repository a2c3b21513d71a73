import type { Message } from '../message.js';
import type { LocationCodec, PageStore } from '../persistence.js';
import type { DeathReason } from './dead-letter.js';
import type { QueueEntry } from './entry.js';
import { PagedTail, type BrowsedEntry } from './paged-tail.js';
import type { ReadyStore } from './ready-store.js';

/** Paging thresholds (per queue): see shouldPage(). Refill keeps a window ready ahead of consumers. */
const PAGE_OUT_COUNT = 20_000;
const PAGE_OUT_BYTES = 32 * 1024 * 1024;
const REFILL_BELOW = 2_000;
const REFILL_BELOW_BYTES = 16 * 1024 * 1024;
const REFILL_COUNT = 4_096;
const REFILL_BYTES = 8 * 1024 * 1024;

/** What paging needs of its queue. */
export interface PagingHost {
  readonly maxPriority: number;
  /** The queue has a dead-letter exchange: paged messages that leave are read back for it. */
  readonly deadLetters: boolean;
  openPageStore(): PageStore | undefined;
  /** The message log's codec, when the queue is durable. */
  codec(): LocationCodec | undefined;
  /** A message left from the tail: its message-log location. */
  removed(location: unknown): void;
  deadLetter(message: Message, reason: DeathReason): void;
  /** A paged message left for a reason, dead-lettered or not (TailSink.dropped). */
  dropped?(reason: DeathReason): void;
  /** An entry read back joins the ready window (in order). */
  ready(entry: QueueEntry): void;
  /** Entries were read back: deliver them. */
  landed(): void;
}

/**
 * A queue's paging policy: past the thresholds new messages go to the paged tail (on disk), and
 * the tail is read back, asynchronously, into the ready window ahead of consumers.
 */
export class QueuePaging {
  private tail: PagedTail | undefined;
  private readonly window: ReadyStore;
  private readonly host: PagingHost;
  /** Waiting for the next read-back to land (a basic.get on an empty window). */
  private waiters: (() => void)[] = [];

  constructor(window: ReadyStore, host: PagingHost) {
    this.window = window;
    this.host = host;
  }

  get count(): number {
    return this.tail?.count ?? 0;
  }

  get bytes(): number {
    return this.tail?.bytes ?? 0;
  }

  /** A read-back is in flight: whenLanded() callbacks will run. */
  get reading(): boolean {
    return this.tail?.reading ?? false;
  }

  get nextExpiry(): number | undefined {
    return this.tail?.nextExpiry;
  }

  /** Pages the entry out if the queue is long enough (or already paging); false: keep it in memory. */
  page(entry: QueueEntry): boolean {
    if (!this.shouldPage()) return false;
    (this.tail as PagedTail).append(entry);
    return true;
  }

  /**
   * Asks for the next batch while the ready window still holds REFILL_BELOW messages and
   * REFILL_BELOW_BYTES, so a consumer rarely finds it empty; one that does waits for landed().
   */
  refill(): void {
    const tail = this.tail;
    if (tail === undefined || tail.count === 0 || this.window.count >= REFILL_BELOW || this.window.bytes >= REFILL_BELOW_BYTES) return;
    tail.prefetch(REFILL_COUNT, REFILL_BYTES);
  }

  expireDue(now: number): void {
    this.tail?.expireDue(now);
  }

  /** x-max-length drop-head when the window is empty: the oldest paged message goes. */
  dropHead(reason: DeathReason): boolean {
    return this.tail?.dropHead(reason) ?? false;
  }

  /** Purge: every paged message's log location, then the tail is empty; returns how many. */
  purge(onLocation: (location: unknown) => void): number {
    const n = this.tail?.clear(onLocation) ?? 0;
    this.wakeLater(); // a read in flight is dropped: it will not land
    return n;
  }

  destroy(): void {
    this.tail?.destroy();
    this.tail = undefined;
    this.wakeLater();
  }

  /** Reads paged entries without changing anything (PagedTail.browse); none without a tail. */
  browse(skip: number, count: number, now: number, done: (entries: BrowsedEntry[]) => void): void {
    if (this.tail === undefined || this.tail.count === 0 || count <= 0) return done([]);
    this.tail.browse(skip, count, now, done);
  }

  /** Runs cb once the next read-back lands (or the tail is purged or destroyed). */
  whenLanded(cb: () => void): void {
    this.waiters.push(cb);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private wakeLater(): void {
    if (this.waiters.length > 0) queueMicrotask(() => this.wake());
  }

  /**
   * Past PAGE_OUT_COUNT messages or PAGE_OUT_BYTES in memory, new messages go to the page file
   * (priority queues excepted: they keep everything in memory), and stay there while any are
   * (counting those of a read in flight, so order holds).
   */
  private shouldPage(): boolean {
    if (this.tail !== undefined && this.tail.count > 0) return true;
    if (this.host.maxPriority > 0 || (this.window.count < PAGE_OUT_COUNT && this.window.bytes < PAGE_OUT_BYTES)) return false;
    if (this.tail === undefined) {
      const store = this.host.openPageStore();
      if (store === undefined) return false;
      const host = this.host;
      this.tail = new PagedTail(store, host.codec(), {
        landed: (entries) => {
          for (const e of entries) host.ready(e);
          this.refill();
          host.landed();
          this.wake();
        },
        removed: (location) => host.removed(location),
        get deadLetters() {
          return host.deadLetters; // a policy may change it while the tail exists
        },
        deadLetter: (message, reason) => host.deadLetter(message, reason),
        dropped: (reason) => host.dropped?.(reason),
      });
    }
    return true;
  }
}
