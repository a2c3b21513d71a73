import { close, open } from 'node:fs';
import type { LogFile } from './log-file.js';
import { readFully } from './page-segment.js';

/** Read descriptors a queue log keeps open at once (a drain reads one segment after another). */
const OPEN_FILES = 3;
/** A record not yet written (group commit pending, or a failed write being retried) is looked at again after this long, doubling up to RETRY_MAX_MS. */
const WAIT_MS = 2;
const RETRY_MAX_MS = 1000;

interface ReadFd {
  fd: number | undefined;
  opening: ((fd: number | undefined) => void)[] | undefined;
  busy: number;
  lastUsed: number;
  forgotten: boolean;
}

/**
 * Reads records back from a queue log's segment files, for paged persistent messages: their bytes
 * are already in the log, so paging them writes nothing more (page files hold transient ones).
 * Asynchronous preads on read-only descriptors of their own (the log's are append-only), a few
 * kept open. A record still waiting to be written is read once it is: the log's group commit
 * follows within a turn or two, a failed write is retried by the scheduler.
 */
export class LogReader {
  private readonly fds = new Map<string, ReadFd>();
  private useClock = 0;
  private closed = false;
  /** A read failed (an I/O error): for the log; the read is retried. */
  onError: (err: unknown) => void = () => undefined;

  /** Reads [offset, offset + length) of file; done(undefined) if the file went (the queue was deleted). */
  read(file: LogFile, offset: number, length: number, done: (bytes: Buffer | undefined) => void, wait = WAIT_MS): void {
    if (this.closed) return;
    if (offset + length > file.onDisk) {
      if (file.closed) return done(undefined);
      setTimeout(() => this.read(file, offset, length, done, Math.min(wait * 2, RETRY_MAX_MS)), wait).unref();
      return;
    }
    const entry = this.entry(file.path);
    entry.busy++;
    entry.lastUsed = ++this.useClock;
    const out = Buffer.allocUnsafe(length);
    this.withFd(file.path, entry, (fd) => {
      if (fd === undefined) return this.finish(file.path, entry, () => done(undefined));
      readFully(fd, out, 0, length, offset, (err) => {
        this.finish(file.path, entry, () => {
          if (this.closed) return;
          if (err === undefined) return done(out);
          this.onError(err);
          setTimeout(() => this.read(file, offset, length, done, RETRY_MAX_MS), RETRY_MAX_MS).unref();
        });
      });
    });
  }

  /** The segment was deleted: its descriptor goes once idle. */
  forget(path: string): void {
    const entry = this.fds.get(path);
    if (entry === undefined) return;
    entry.forgotten = true;
    this.fds.delete(path);
    if (entry.busy === 0) closeFd(entry);
  }

  close(): void {
    this.closed = true;
    for (const path of [...this.fds.keys()]) this.forget(path);
  }

  private entry(path: string): ReadFd {
    let entry = this.fds.get(path);
    if (entry !== undefined) return entry;
    entry = { fd: undefined, opening: undefined, busy: 0, lastUsed: 0, forgotten: false };
    if (this.fds.size >= OPEN_FILES) {
      let idle: [string, ReadFd] | undefined;
      for (const kv of this.fds) if (kv[1].busy === 0 && (idle === undefined || kv[1].lastUsed < idle[1].lastUsed)) idle = kv;
      if (idle !== undefined) this.forget(idle[0]);
    }
    this.fds.set(path, entry);
    return entry;
  }

  private withFd(path: string, entry: ReadFd, cb: (fd: number | undefined) => void): void {
    if (entry.fd !== undefined) return cb(entry.fd);
    if (entry.opening !== undefined) {
      entry.opening.push(cb);
      return;
    }
    entry.opening = [cb];
    open(path, 'r', (err, fd) => {
      const waiters = entry.opening ?? [];
      entry.opening = undefined;
      if (err === null) entry.fd = fd;
      for (const w of waiters) w(err === null ? fd : undefined);
    });
  }

  private finish(path: string, entry: ReadFd, then: () => void): void {
    entry.busy--;
    if (entry.busy === 0 && (entry.forgotten || entry.fd === undefined)) {
      if (this.fds.get(path) === entry) this.fds.delete(path);
      closeFd(entry);
    }
    then();
  }
}

function closeFd(entry: ReadFd): void {
  const fd = entry.fd;
  entry.fd = undefined;
  if (fd !== undefined) close(fd, () => undefined);
}
