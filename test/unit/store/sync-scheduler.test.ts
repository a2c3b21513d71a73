import { closeSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogFile } from '../../../src/store/log-file.js';
import { SyncScheduler } from '../../../src/store/sync-scheduler.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warren-sync-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SyncScheduler (group commit)', () => {
  it('writes every append of a batch, then runs all waiters once with ok=true', async () => {
    const errors: unknown[] = [];
    const scheduler = new SyncScheduler('always', (e) => errors.push(e));
    const a = new LogFile(join(dir, 'a'), 0);
    const b = new LogFile(join(dir, 'b'), 0);
    const results: boolean[] = [];
    expect(a.append(Buffer.from('one'))).toBe(0);
    scheduler.markDirty(a, (ok) => results.push(ok));
    expect(a.append(Buffer.from('two'))).toBe(3);
    scheduler.markDirty(a, (ok) => results.push(ok));
    b.append(Buffer.from('three'));
    scheduler.markDirty(b, (ok) => results.push(ok));
    await scheduler.idle();
    expect(results).toEqual([true, true, true]);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('onetwo');
    expect(readFileSync(join(dir, 'b'), 'utf8')).toBe('three');
    expect(errors).toEqual([]);
    a.close();
    b.close();
  });

  it('reports a failed write to its waiters with ok=false (their publishers get a nack)', async () => {
    const errors: unknown[] = [];
    const scheduler = new SyncScheduler('always', (e) => errors.push(e));
    const file = new LogFile(join(dir, 'broken'), 0);
    closeSync(file.fd); // the descriptor goes away under the log: the write fails with EBADF
    const results: boolean[] = [];
    file.append(Buffer.from('lost'));
    scheduler.markDirty(file, (ok) => results.push(ok));
    await scheduler.idle();
    expect(results).toEqual([false]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EBADF');
  });

  it('counts a file whose write failed as failing (the disk alarm) until it is closed, whatever other files do', async () => {
    const scheduler = new SyncScheduler('always', () => undefined);
    const changes: boolean[] = [];
    scheduler.health.onChange = (failing) => changes.push(failing);
    const broken = new LogFile(join(dir, 'broken'), 0);
    closeSync(broken.fd);
    broken.append(Buffer.from('lost'));
    scheduler.markDirty(broken);
    await scheduler.idle();
    expect(changes).toEqual([true]);
    const good = new LogFile(join(dir, 'good'), 0);
    good.append(Buffer.from('kept'));
    scheduler.markDirty(good, () => undefined);
    await scheduler.idle();
    expect(scheduler.health.failing).toBe(true);
    broken.closed = true; // closed by its queue (its descriptor number went to 'good' already)
    // The retry (a second later) finds it closed: nothing is failing any more.
    await new Promise((r) => setTimeout(r, 1_300));
    expect(changes).toEqual([true, false]);
    good.close();
  });
});
