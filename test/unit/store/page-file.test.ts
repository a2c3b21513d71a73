import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAGE_SEGMENT_SIZE, PageFile } from '../../../src/store/page-file.js';
import { PageWrites } from '../../../src/store/page-writes.js';
import { eventually } from '../../helpers/broker.js';

const MiB = 1024 * 1024;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warren-pages-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = (d = dir): string[] => (existsSync(d) ? readdirSync(d).sort() : []);
const diskBytes = (d = dir): number => files(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
const record = (i: number, size: number): Buffer => Buffer.alloc(size, i % 251);
const read = (store: PageFile, position: number, length: number): Promise<Buffer> => new Promise((resolve) => store.read(position, length, resolve));

/** Descriptors this process holds on files under d. */
function openFilesUnder(d: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(d)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

describe('PageFile (a paged tail in segment files)', () => {
  it('reads back what was appended: from memory before the write lands, from the file after, across segments', async () => {
    const writes = new PageWrites();
    const store = new PageFile(dir, 'q', writes);
    const positions: number[] = [];
    for (let i = 0; i < 40; i++) {
      positions.push(store.append([Buffer.from([i]), record(i, MiB - 1)]));
      const back = await read(store, positions[i] as number, MiB);
      expect(back[0]).toBe(i);
      expect(back.equals(Buffer.concat([Buffer.from([i]), record(i, MiB - 1)]))).toBe(true);
    }
    await eventually(() => writes.pendingBytes === 0, 10_000, 'writes did not finish');
    expect(files()).toHaveLength(Math.ceil((40 * MiB) / PAGE_SEGMENT_SIZE));
    // One read spanning a segment boundary, now all from the files.
    const span = await read(store, positions[14] as number, 4 * MiB);
    for (let k = 0; k < 4; k++) expect(span[k * MiB]).toBe(14 + k);
    store.destroy();
  });

  it('unlinks a segment once all its records are released, and every file once the tail is empty', async () => {
    const writes = new PageWrites();
    const store = new PageFile(dir, 'q', writes);
    const positions = Array.from({ length: 48 }, (_, i) => store.append([record(i, MiB)]));
    await eventually(() => writes.pendingBytes === 0, 10_000);
    expect(files()).toHaveLength(3);
    // Release the first segment's records (in order, as reads land): its file goes.
    for (let i = 0; i < 16; i++) store.release(positions[i] as number);
    await eventually(() => files().length === 2, 5000, `files: ${files().join(',')}`);
    // Releases out of order (expiry where messages sit) free the last segment's space too.
    for (let i = 47; i >= 32; i--) store.release(positions[i] as number);
    await eventually(() => files().length === 1, 5000);
    for (let i = 16; i < 32; i++) store.release(positions[i] as number);
    await eventually(() => files().length === 0, 5000, 'files left once every record was released');
    // Appends after that start a new file.
    const p = store.append([Buffer.from('again')]);
    expect((await read(store, p, 5)).toString()).toBe('again');
    store.destroy();
    await eventually(() => files().length === 0, 5000);
  });

  it('clear() drops every file at once; destroy() stops callbacks and writes', async () => {
    const writes = new PageWrites();
    const store = new PageFile(dir, 'q', writes);
    for (let i = 0; i < 40; i++) store.append([record(i, MiB)]);
    store.clear();
    expect(writes.pendingBytes).toBeLessThanOrEqual(16 * MiB); // only a write already in flight is left
    await eventually(() => writes.pendingBytes === 0, 5000);
    await eventually(() => files().length === 0, 5000, 'clear left files');
    const p = store.append([Buffer.from('after clear')]);
    expect((await read(store, p, 11)).toString()).toBe('after clear');
    let called = false;
    store.read(p, 11, () => (called = true));
    store.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(called).toBe(false);
    await eventually(() => files().length === 0, 5000);
  });

  it('keeps a failed write in memory, serves reads from it, and retries until the disk takes it', async () => {
    const errors: unknown[] = [];
    const changes: boolean[] = [];
    const writes = new PageWrites(2 * MiB);
    writes.onError = (e) => errors.push(e);
    writes.onBehind = (b) => changes.push(b);
    // Its parent is a regular file: the segment cannot be created (ENOTDIR) until that is fixed.
    writeFileSync(join(dir, 'blocker'), '');
    const missing = join(dir, 'blocker', 'pages');
    const store = new PageFile(missing, 'q', writes);
    const positions = Array.from({ length: 4 }, (_, i) => store.append([record(i, MiB)]));
    await eventually(() => errors.length > 0, 5000, 'the failed write was not reported');
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('ENOTDIR');
    expect(writes.pendingBytes).toBe(4 * MiB);
    expect(changes).toEqual([true]); // past the high mark: the broker blocks publishers
    for (let i = 0; i < 4; i++) expect((await read(store, positions[i] as number, MiB)).equals(record(i, MiB))).toBe(true);
    rmSync(join(dir, 'blocker')); // the store makes its directory again (ENOENT) and retries
    await eventually(() => writes.pendingBytes === 0, 10_000, 'the write was not retried');
    expect(changes).toEqual([true, false]);
    expect(diskBytes(missing)).toBe(4 * MiB);
    expect((await read(store, positions[3] as number, MiB)).equals(record(3, MiB))).toBe(true);
    store.destroy();
  });

  it('gives a record larger than a segment a segment of its own', async () => {
    const writes = new PageWrites();
    const store = new PageFile(dir, 'q', writes);
    const small = store.append([Buffer.from('small')]);
    const big = store.append([record(7, PAGE_SEGMENT_SIZE + MiB)]);
    const after = store.append([Buffer.from('after')]);
    await eventually(() => writes.pendingBytes === 0, 10_000);
    expect(files()).toHaveLength(3);
    expect((await read(store, small, 5)).toString()).toBe('small');
    expect((await read(store, big, PAGE_SEGMENT_SIZE + MiB)).equals(record(7, PAGE_SEGMENT_SIZE + MiB))).toBe(true);
    expect((await read(store, after, 5)).toString()).toBe('after');
    store.destroy();
  });

  it('holds a few descriptors however many segments the tail spans', async () => {
    const writes = new PageWrites();
    const store = new PageFile(dir, 'q', writes);
    const positions = Array.from({ length: 160 }, (_, i) => store.append([record(i, MiB)]));
    await eventually(() => writes.pendingBytes === 0, 20_000);
    expect(files()).toHaveLength(10);
    let peak = 0;
    for (let i = 0; i < 160; i += 8) {
      expect((await read(store, positions[i] as number, MiB))[0]).toBe(i % 251);
      // An evicted descriptor is closed asynchronously (fs.close on the thread pool): under load the
      // close may still be in flight when the next read opens a segment, so let it land first.
      await eventually(() => openFilesUnder(dir) <= 4, 2_000).catch(() => undefined);
      peak = Math.max(peak, openFilesUnder(dir));
    }
    expect(peak).toBeLessThanOrEqual(4);
    store.destroy();
  });
});
