import { closeSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

/** Appends are buffered up to this many bytes before one write. */
const WRITE_BUFFER = 1024 * 1024;

/**
 * Where a long queue's tail lives while it waits: records appended in order, read back in order
 * ahead of consumers, truncated once the tail is empty. Not a durability mechanism (persistent
 * messages are also in their segment files); the directory is wiped at start.
 */
export class PageFile {
  private readonly path: string;
  private fd: number;
  private size = 0;
  private written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'w+');
  }

  /** Appends the parts as one record; returns its offset. */
  append(parts: readonly Buffer[]): number {
    const offset = this.size;
    for (const p of parts) {
      this.pending.push(p);
      this.pendingBytes += p.length;
      this.size += p.length;
    }
    if (this.pendingBytes >= WRITE_BUFFER) this.flush();
    return offset;
  }

  /** Reads bytes back (flushing buffered appends first when they are needed). */
  read(offset: number, length: number): Buffer {
    if (offset + length > this.written) this.flush();
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new Error(`page file ${this.path}: short read at ${offset + done}`);
      done += n;
    }
    return out;
  }

  /** Nothing left in the tail: start the file over. */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    ftruncateSync(this.fd, 0);
    this.size = 0;
    this.written = 0;
  }

  destroy(): void {
    this.pending = [];
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.path, { force: true });
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    let done = 0;
    while (done < buf.length) done += writeSync(this.fd, buf, done, buf.length - done, this.written + done);
    this.written += buf.length;
  }
}
