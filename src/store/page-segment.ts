import { close, open, read, unlink, writev } from 'node:fs';

/**
 * One fixed-size page segment file: a slice [start, start + size) of a page store's logical
 * byte stream. Its records are counted in and released out; once every record is released the
 * file is deleted. The file is opened lazily and may be closed while idle (few descriptors per
 * queue however long its tail).
 */
export class PageSegment {
  readonly path: string;
  /** Logical position of byte 0 of this file. */
  readonly start: number;
  /** Bytes appended (logically; some may still wait in memory). */
  size = 0;
  /** Bytes known to be in the file: [0, written). */
  written = 0;
  records = 0;
  released = 0;
  /** No more appends (a newer segment took over). */
  sealed = false;
  deleted = false;
  /** Reads and writes in flight: the file is closed and unlinked only when none are. */
  busy = 0;
  lastUsed = 0;
  fd: number | undefined;
  private created = false;
  private opening: ((fd: number | undefined, err?: unknown) => void)[] | undefined;
  private unlinked = false;

  constructor(path: string, start: number) {
    this.path = path;
    this.start = start;
  }

  get end(): number {
    return this.start + this.size;
  }

  /** Calls cb with an open descriptor (opening the file, created empty the first time). */
  withFd(cb: (fd: number | undefined, err?: unknown) => void): void {
    if (this.fd !== undefined) return cb(this.fd);
    if (this.opening !== undefined) {
      this.opening.push(cb);
      return;
    }
    this.opening = [cb];
    open(this.path, this.created ? 'r+' : 'w+', (err, fd) => {
      const waiters = this.opening ?? [];
      this.opening = undefined;
      if (err !== null) {
        for (const w of waiters) w(undefined, err);
        return;
      }
      this.created = true;
      this.fd = fd;
      for (const w of waiters) w(fd);
    });
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** Closes an idle descriptor (the file stays); it is reopened on the next use. */
  closeIdle(): void {
    const fd = this.fd;
    if (fd === undefined || this.busy > 0) return;
    this.fd = undefined;
    close(fd, () => undefined);
  }

  /** Once deleted and idle: close, then unlink. */
  finish(): void {
    if (!this.deleted || this.busy > 0 || this.unlinked || this.opening !== undefined) return;
    this.unlinked = true;
    const fd = this.fd;
    this.fd = undefined;
    const unlinkFile = (): void => {
      if (this.created) unlink(this.path, () => undefined);
    };
    if (fd === undefined) unlinkFile();
    else close(fd, unlinkFile);
  }
}

/** pwritev until every byte is written (short writes happen on a full disk, on signals). */
export function writeFully(fd: number, bufs: Buffer[], position: number, done: (err: unknown) => void): void {
  writev(fd, bufs, position, (err, written) => {
    if (err !== null) return done(err);
    let skip = written;
    const rest: Buffer[] = [];
    for (const b of bufs) {
      if (skip >= b.length) {
        skip -= b.length;
        continue;
      }
      rest.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
    if (rest.length === 0) return done(undefined);
    if (written === 0) return done(new Error('page write made no progress'));
    writeFully(fd, rest, position + written, done);
  });
}

/** pread until length bytes are in out at dst. */
export function readFully(fd: number, out: Buffer, dst: number, length: number, position: number, done: (err: unknown) => void): void {
  read(fd, out, dst, length, position, (err, n) => {
    if (err !== null) return done(err);
    if (n === length) return done(undefined);
    if (n === 0) return done(new Error(`page read: file ended at ${position}`));
    readFully(fd, out, dst + n, length - n, position + n, done);
  });
}
