import type { LogFile } from './log-file.js';
import { WriteHealth } from './write-health.js';
import { BucketHistogram, LATENCY_BUCKETS } from '../util/bucket-histogram.js';

export type FsyncPolicy = 'always' | 'never';

/** A write that failed (a full disk) is tried again after this long. */
const RETRY_MS = 1000;

/**
 * Group commit. Appends mark their file dirty; one flush writes every dirty file, fdatasyncs
 * them (policy 'always'), then runs the waiters, so many publisher confirms share one fsync.
 * While a flush runs the next batch forms; it starts as soon as the running one ends.
 */
export class SyncScheduler {
  private dirty = new Set<LogFile>();
  private running = false;
  private scheduled = false;
  private readonly policy: FsyncPolicy;
  private readonly onError: (err: unknown) => void;
  private idleWaiters: (() => void)[] = [];
  /** Files whose last write or sync failed: the disk alarm (write-health.ts). */
  readonly health = new WriteHealth();
  /** Seconds per successful fdatasync of one file (warren_fsync_duration_seconds): one observation per file per flush, not per message. */
  readonly syncLatency = new BucketHistogram(LATENCY_BUCKETS);

  constructor(policy: FsyncPolicy, onError: (err: unknown) => void) {
    this.policy = policy;
    this.onError = onError;
  }

  markDirty(file: LogFile, waiter?: (ok: boolean) => void): void {
    this.dirty.add(file);
    if (waiter !== undefined) file.waiters.push(waiter);
    if (!this.running && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Resolves when nothing is pending (shutdown, tests). */
  idle(): Promise<void> {
    if (!this.running && !this.scheduled && this.dirty.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private timedSync(f: LogFile): Promise<void> {
    const start = performance.now();
    return f.sync().then(() => this.syncLatency.observe((performance.now() - start) / 1000));
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.dirty.size === 0) return this.settleIdle();
    this.running = true;
    const batch = [...this.dirty];
    this.dirty = new Set();
    // Each file's waiters get that file's own outcome: a publish routed to several durable queues
    // waits for each of their files, and one failing file does not nack what another got to disk.
    Promise.all(
      batch.map((f) => {
        f.inFlight = true;
        const waiters = f.waiters;
        f.waiters = [];
        const syncs = this.policy === 'always' || f.alwaysSync;
        return f
          .writePending(syncs)
          .then(() => (syncs ? this.timedSync(f) : undefined))
          .then(
            () => {
              this.health.recovered(f);
              for (const w of waiters) w(true);
            },
            (err: unknown) => {
              if (!f.closed) this.health.failed(f, err);
              // The bytes may not be on disk (full disk, I/O error): their publishers get a nack. The
              // messages are still queued; the file put them back in pending (log-file.ts), and the
              // retry writes and syncs them again until the disk takes them.
              this.onError(err);
              for (const w of waiters) w(false);
            },
          );
      }),
    ).finally(() => {
      const retry = batch.filter((f) => f.failed);
      if (retry.length > 0) setTimeout(() => retry.forEach((f) => (f.closed ? this.health.recovered(f) : this.markDirty(f))), RETRY_MS).unref();
      for (const f of batch) if (f.closed) this.health.recovered(f);
      for (const f of batch) f.settled();
      this.running = false;
      if (this.dirty.size > 0) {
        this.scheduled = true;
        setImmediate(this.flush);
      } else {
        this.settleIdle();
      }
    });
  };

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
