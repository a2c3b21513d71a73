import { closeSync, fdatasync, ftruncate, openSync, writev } from 'node:fs';

/**
 * An append-only file whose appends are buffered in memory and written (and synced) in batches
 * by the SyncScheduler. `size` is the logical end, including bytes not yet written, so record
 * offsets are known at append time.
 */
export class LogFile {
  readonly path: string;
  readonly fd: number;
  size: number;
  pending: Buffer[] = [];
  /** Append callbacks waiting for this file's next sync. */
  waiters: ((ok: boolean) => void)[] = [];
  closed = false;
  /** Bytes were written since the last fdatasync. */
  unsynced = false;
  /** Synced even under fsync policy 'never' (the definitions log: a lost declare would lose a queue). */
  alwaysSync = false;
  /** In a flush batch right now: closing must wait for it. */
  inFlight = false;
  private retired: (() => void) | undefined;
  /** Bytes known to be in the file: where a failed write is cut back to. */
  private written: number;
  /** The last write or fdatasync failed; its bytes wait in pending for the scheduler's retry. */
  failed = false;
  /** Bytes known to be on disk: the end at the last good fdatasync. */
  private synced: number;
  /** What was written since then (files that are synced only), to write again if the fdatasync fails. */
  private unsyncedBufs: Buffer[] = [];

  /** `header`: the bytes at the start of a file just created, not yet synced (rewritten with the rest after a failed fdatasync). */
  constructor(path: string, size: number, fd?: number, header?: Buffer) {
    this.path = path;
    this.fd = fd ?? openSync(path, 'a');
    this.size = size;
    this.written = size;
    this.synced = header === undefined ? size : size - header.length;
    if (header !== undefined) {
      this.unsyncedBufs = [header];
      this.unsynced = true;
    }
  }

  /** Bytes known to be in the file (readable by another descriptor). */
  get onDisk(): number {
    return this.written;
  }

  append(buf: Buffer): number {
    const offset = this.size;
    this.pending.push(buf);
    this.size += buf.length;
    return offset;
  }

  /**
   * Writes everything pending; resolves once written (not yet synced). A failed write (a full disk)
   * is cut back off the file and its bytes go back to the front of pending for a retry: left in
   * place, a partial record would sit where recovery cuts the file, and since the file is opened
   * for appending, every later record would land at another offset than the one recorded for it.
   * `willSync`: the scheduler fdatasyncs this file after the write, so its bytes are kept until then.
   */
  writePending(willSync = false): Promise<void> {
    if (!willSync) this.unsyncedBufs = [];
    const bufs = this.pending;
    if (bufs.length === 0 || this.closed) return Promise.resolve();
    this.pending = [];
    this.unsynced = true;
    let bytes = 0;
    for (const b of bufs) bytes += b.length;
    return writeAll(this.fd, bufs).then(
      () => {
        this.written += bytes;
        this.failed = false;
        if (willSync) this.unsyncedBufs = this.unsyncedBufs.length === 0 ? bufs : this.unsyncedBufs.concat(bufs);
      },
      (err: unknown) =>
        new Promise<void>((_resolve, reject) => {
          this.pending = bufs.concat(this.pending);
          this.failed = true;
          ftruncate(this.fd, this.written, () => reject(err));
        }),
    );
  }

  /**
   * fdatasync. After a failed one, nothing written since the last good one can be trusted to be on
   * disk: Linux may have dropped those dirty pages and marked them clean, so a later fdatasync
   * succeeds without writing them ("fsyncgate"; PostgreSQL panics on it). So the file is cut back to
   * its last synced end and those bytes go back to the front of pending, to be written and synced
   * again by the scheduler's retry. Record offsets stay what they were.
   */
  sync(): Promise<void> {
    if (!this.unsynced || this.closed) return Promise.resolve();
    this.unsynced = false;
    return new Promise((resolve, reject) =>
      fdatasync(this.fd, (err) => {
        if (!err) {
          this.synced = this.written;
          this.unsyncedBufs = [];
          return resolve();
        }
        this.pending = this.unsyncedBufs.concat(this.pending);
        this.unsyncedBufs = [];
        this.written = this.synced;
        this.failed = true;
        if (this.closed) return reject(err);
        ftruncate(this.fd, this.synced, () => reject(err));
      }),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /**
   * Closes the file once no write is pending or in flight, then runs done (which deletes it).
   * Closing under an in-flight writev would fail it with EBADF.
   */
  retire(done: () => void): void {
    this.pending = [];
    if (this.inFlight) {
      this.retired = done;
      return;
    }
    this.close();
    done();
  }

  /** Called by the scheduler when a batch with this file ends. */
  settled(): void {
    this.inFlight = false;
    const done = this.retired;
    if (done === undefined) return;
    this.retired = undefined;
    this.close();
    done();
  }
}

// writev may write fewer bytes than asked (a full disk, signals): continue with the rest.
function writeAll(fd: number, bufs: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const total = bufs.reduce((n, b) => n + b.length, 0);
    const step = (list: Buffer[], left: number): void => {
      writev(fd, list, (err, written) => {
        if (err) return reject(err);
        if (written >= left) return resolve();
        let skip = written;
        const rest: Buffer[] = [];
        for (const b of list) {
          if (skip >= b.length) {
            skip -= b.length;
            continue;
          }
          rest.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
        step(rest, left - written);
      });
    };
    step(bufs, total);
  });
}
