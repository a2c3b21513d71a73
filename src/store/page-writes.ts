import { WriteHealth } from './write-health.js';

/** Past this many bytes waiting to be written to page files (all queues together), publishers wait. */
export const PAGE_WRITES_HIGH = 64 * 1024 * 1024;

/**
 * The broker-wide account of page-file bytes not yet on disk. Page writes are asynchronous, so a
 * disk slower than the publishers would otherwise let those bytes pile up in memory: past the
 * high mark `onBehind(true)` fires (the broker blocks publishing connections, as for an alarm),
 * and below half of it `onBehind(false)`. Notifications are deferred to a microtask, so they never
 * run inside the enqueue that crossed the mark.
 */
export class PageWrites {
  onBehind: (behind: boolean) => void = () => undefined;
  onError: (err: unknown) => void = () => undefined;
  private bytes = 0;
  private behind = false;
  private reported = false;
  private notifying = false;
  private readonly high: number;
  /** Page files whose last write failed count as failing writes, as the message logs do. */
  readonly health: WriteHealth;

  constructor(high = PAGE_WRITES_HIGH, health = new WriteHealth()) {
    this.high = high;
    this.health = health;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  get isBehind(): boolean {
    return this.behind;
  }

  add(n: number): void {
    this.bytes += n;
    if (!this.behind && this.bytes > this.high) this.set(true);
  }

  sub(n: number): void {
    this.bytes -= n;
    if (this.behind && this.bytes <= this.high / 2) this.set(false);
  }

  /** A page read failed (it is retried): for the log. */
  failed(err: unknown): void {
    this.onError(err);
  }

  /** A write of `file` failed (it is retried): for the log and the disk alarm. */
  writeFailed(file: object, err: unknown): void {
    this.onError(err);
    this.health.failed(file, err);
  }

  /** A write of `file` went through, or the file is gone. */
  writeOk(file: object): void {
    this.health.recovered(file);
  }

  private set(behind: boolean): void {
    this.behind = behind;
    if (this.notifying) return;
    this.notifying = true;
    queueMicrotask(() => {
      this.notifying = false;
      if (this.reported === this.behind) return;
      this.reported = this.behind;
      this.onBehind(this.behind);
    });
  }
}
