import { mkdir } from 'node:fs';
import { join } from 'node:path';
import { PageSegment, readFully, writeFully } from './page-segment.js';
import type { PageWrites } from './page-writes.js';

/** Segment files roll over at this size; a record larger than it gets a segment of its own. */
export const PAGE_SEGMENT_SIZE = 16 * 1024 * 1024;
/** Appends are copied into one buffer per this many bytes: one write, one memcpy, few objects. */
const BATCH_BYTES = 1024 * 1024;
/** One pwritev takes at most this much, so a write in flight stays short. */
const MAX_WRITE_BYTES = 16 * 1024 * 1024;
/** Descriptors a store keeps open at once (the segment being written and one or two being read). */
const OPEN_FILES = 4;
/** A failed write or read (a full disk, an I/O error) is tried again after this long. */
const RETRY_MS = 1000;

interface Batch {
  readonly segment: PageSegment;
  /** Offset in the segment file. */
  readonly offset: number;
  readonly buf: Buffer;
  inFlight: boolean;
}

/**
 * A queue's paged tail on disk: a sequence of segment files (LavinMQ's layout) holding one
 * logical byte stream. Appends go to the newest segment; a segment whose records are all released
 * (read back, expired, purged) is closed and unlinked, so disk use follows the live tail.
 *
 * Nothing blocks the event loop: appends are buffered and written with async pwritev, one write
 * in flight at a time; reads are async preads. Bytes not yet on disk (buffered, in flight, or
 * held after a failed write) are served from memory, so a full disk never loses a paged record:
 * the write is retried, and consumers can still drain. Bytes waiting for the disk are counted in
 * the broker-wide PageWrites, which blocks publishers when they pile up.
 * Not a durability mechanism (persistent messages are also in their segment logs): the
 * directory is wiped at start.
 */
export class PageFile {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly writes: PageWrites;
  private readonly onDestroyed: () => void;
  /** Live segments in position order (deleted ones leave the list). */
  private segments: PageSegment[] = [];
  private current: PageSegment | undefined;
  private nextNo = 1;
  private end = 0;
  /** Appended parts of the current segment not yet copied into a batch. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private batches: Batch[] = [];
  private writing = false;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private destroyed = false;
  private useClock = 0;

  constructor(dir: string, name: string, writes: PageWrites, onDestroyed: () => void = () => undefined) {
    this.dir = dir;
    this.prefix = join(dir, name);
    this.writes = writes;
    this.onDestroyed = onDestroyed;
  }

  /** Files on disk or about to be (for tests and the read model). */
  get segmentCount(): number {
    return this.segments.length;
  }

  append(parts: readonly Buffer[]): number {
    if (this.destroyed) return this.end;
    let length = 0;
    for (const p of parts) length += p.length;
    let seg = this.current;
    if (seg === undefined || (seg.size > 0 && seg.size + length > PAGE_SEGMENT_SIZE)) seg = this.rotate();
    const position = seg.end;
    for (const p of parts) this.parts.push(p);
    this.partsBytes += length;
    seg.size += length;
    seg.records++;
    this.end = seg.end;
    this.writes.add(length);
    if (this.partsBytes >= BATCH_BYTES) {
      this.cut();
      this.flush();
    } else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushTick);
    }
    return position;
  }

  read(position: number, length: number, done: (bytes: Buffer) => void): void {
    if (this.destroyed) return;
    const out = Buffer.allocUnsafe(length);
    const stop = position + length;
    const cur = this.current;
    if (cur !== undefined && stop > cur.end - this.partsBytes) this.cut();
    let waiting = 1;
    const oneDone = (): void => {
      if (--waiting === 0 && !this.destroyed) done(out);
    };
    for (let i = this.indexOf(position); i < this.segments.length; i++) {
      const seg = this.segments[i] as PageSegment;
      if (seg.start >= stop) break;
      const from = Math.max(position, seg.start) - seg.start;
      const to = Math.min(stop, seg.end) - seg.start;
      const dst = seg.start + from - position;
      const onDisk = Math.min(to, seg.written);
      if (from < onDisk) {
        waiting++;
        this.readPiece(seg, out, dst, onDisk - from, from, oneDone);
      }
      if (to > Math.max(from, seg.written)) this.copyUnwritten(seg, out, dst - from, Math.max(from, seg.written), to);
    }
    process.nextTick(oneDone);
  }

  release(position: number): void {
    const seg = this.segments[this.indexOf(position)];
    if (seg === undefined || position < seg.start || position >= seg.end) return; // its segment already went
    seg.released++;
    if (seg.released < seg.records) return;
    if (seg === this.current) {
      // The tail is empty: the next append starts a new file, this one goes.
      this.cut();
      this.current = undefined;
      seg.sealed = true;
    }
    if (seg.sealed) this.deleteSegment(seg);
  }

  clear(): void {
    this.cut();
    this.current = undefined;
    for (const seg of [...this.segments]) this.deleteSegment(seg);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.clear();
    this.destroyed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.writes.writeOk(this);
    this.onDestroyed();
  }

  private rotate(): PageSegment {
    this.cut();
    const old = this.current;
    const seg = new PageSegment(`${this.prefix}.${String(this.nextNo++).padStart(8, '0')}`, this.end);
    this.segments.push(seg);
    this.current = seg;
    if (old !== undefined) {
      old.sealed = true;
      if (old.released === old.records) this.deleteSegment(old);
    }
    return seg;
  }

  /** Copies the current segment's loose parts into one batch (which frees the socket buffers they view). */
  private cut(): void {
    const seg = this.current;
    if (this.partsBytes === 0 || seg === undefined) return;
    const buf = Buffer.concat(this.parts, this.partsBytes);
    this.batches.push({ segment: seg, offset: seg.size - this.partsBytes, buf, inFlight: false });
    this.parts = [];
    this.partsBytes = 0;
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.cut();
    this.flush();
  };

  /** Writes the oldest batches of one segment with one pwritev; the next write follows its end. */
  private flush(): void {
    if (this.writing || this.destroyed || this.retryTimer !== undefined) return;
    const first = this.batches[0];
    // Nothing left to write (cleared after a failed write): not failing any more.
    if (first === undefined) return this.writes.writeOk(this);
    const seg = first.segment;
    const bufs: Buffer[] = [];
    let bytes = 0;
    for (const b of this.batches) {
      if (b.segment !== seg || b.offset !== first.offset + bytes || (bytes > 0 && bytes + b.buf.length > MAX_WRITE_BYTES)) break;
      b.inFlight = true;
      bufs.push(b.buf);
      bytes += b.buf.length;
    }
    this.writing = true;
    seg.busy++;
    this.touch(seg);
    const finished = (err: unknown): void => {
      this.writing = false;
      seg.busy--;
      if (err !== undefined && !seg.deleted && !this.destroyed) {
        for (let i = 0; i < bufs.length; i++) (this.batches[i] as Batch).inFlight = false;
        this.failed(err);
      } else {
        this.batches.splice(0, bufs.length);
        this.writes.sub(bytes);
        this.writes.writeOk(this);
        seg.written = Math.max(seg.written, first.offset + bytes);
      }
      seg.finish();
      this.flush();
    };
    seg.withFd((fd, err) => (fd === undefined ? finished(err) : writeFully(fd, bufs, first.offset, finished)));
  }

  private readPiece(seg: PageSegment, out: Buffer, dst: number, length: number, from: number, done: () => void): void {
    seg.busy++;
    this.touch(seg);
    const finished = (err: unknown): void => {
      seg.busy--;
      if (err !== undefined && !this.destroyed && !seg.deleted) {
        this.writes.failed(err);
        setTimeout(() => this.readPiece(seg, out, dst, length, from, done), RETRY_MS).unref();
      } else {
        done();
      }
      seg.finish();
    };
    seg.withFd((fd, err) => (fd === undefined ? finished(err) : readFully(fd, out, dst, length, from, finished)));
  }

  /** Bytes [from, to) of seg that are not in the file yet, from the batches waiting to be written. */
  private copyUnwritten(seg: PageSegment, out: Buffer, base: number, from: number, to: number): void {
    for (const b of this.batches) {
      if (b.segment !== seg) continue;
      const lo = Math.max(from, b.offset);
      const hi = Math.min(to, b.offset + b.buf.length);
      if (lo < hi) b.buf.copy(out, base + lo, lo - b.offset, hi - b.offset);
    }
  }

  private failed(err: unknown): void {
    this.writes.writeFailed(this, err);
    // The directory went (removed by hand): make it again before the retry.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') mkdir(this.dir, { recursive: true }, () => undefined);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private deleteSegment(seg: PageSegment): void {
    if (seg.deleted) return;
    seg.deleted = true;
    seg.sealed = true;
    const i = this.segments.indexOf(seg);
    if (i >= 0) this.segments.splice(i, 1);
    if (seg === this.current) {
      this.current = undefined;
      this.writes.sub(this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
    }
    let dropped = 0;
    this.batches = this.batches.filter((b) => {
      if (b.segment !== seg || b.inFlight) return true;
      dropped += b.buf.length;
      return false;
    });
    this.writes.sub(dropped);
    seg.finish();
  }

  /** Index of the segment holding position (or of the first one after it). */
  private indexOf(position: number): number {
    const list = this.segments;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as PageSegment).end <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Least-recently-used idle descriptors are closed so a long tail does not hold one per file. */
  private touch(seg: PageSegment): void {
    seg.lastUsed = ++this.useClock;
    if (seg.isOpen) return;
    let open = 0;
    let idle: PageSegment | undefined;
    for (const s of this.segments) {
      if (!s.isOpen) continue;
      open++;
      if (s.busy === 0 && s !== this.current && (idle === undefined || s.lastUsed < idle.lastUsed)) idle = s;
    }
    if (open >= OPEN_FILES) idle?.closeIdle();
  }
}
