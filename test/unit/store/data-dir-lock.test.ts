import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirLock, LOCK_FILE, type LockOwner } from '../../../src/store/data-dir-lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'warren-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lockPath = (): string => join(dir, LOCK_FILE);
const readLock = (): LockOwner => JSON.parse(readFileSync(lockPath(), 'utf8')) as LockOwner;

function acquired(): DataDirLock {
  const r = DataDirLock.acquire(dir);
  if (!('lock' in r)) throw new Error(`expected the lock, held by pid ${r.heldBy.pid}`);
  return r.lock;
}

/** A lock file as another process would have written it. */
function writeLock(owner: Partial<LockOwner>): void {
  const scratch = mkdtempSync(join(tmpdir(), 'warren-lock-template-'));
  const r = DataDirLock.acquire(scratch);
  rmSync(scratch, { recursive: true, force: true });
  if (!('lock' in r)) throw new Error('unexpected');
  writeFileSync(lockPath(), JSON.stringify({ ...r.lock.owner, token: 'someone-else', ...owner }));
}

function procStart(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** A process that has exited: its pid is free (and not reused this quickly). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

describe('the data directory lock', () => {
  it('is a file naming this process; a second lock in the same process is refused by token, and release frees it', () => {
    const lock = acquired();
    expect(readLock()).toMatchObject({ pid: process.pid, token: lock.owner.token, hostname: hostname() });
    const second = DataDirLock.acquire(dir);
    expect(second).toMatchObject({ heldBy: { pid: process.pid, token: lock.owner.token }, sameProcess: true });
    lock.release();
    expect(existsSync(lockPath())).toBe(false);
    acquired().release();
  });

  it('takes over the lock of a process that is gone, and says whose it was', async () => {
    const pid = await deadPid();
    writeLock({ pid, procStart: '1' });
    const r = DataDirLock.acquire(dir);
    expect(r).toMatchObject({ tookOver: { pid } });
    expect(readLock().pid).toBe(process.pid);
  });

  it('takes over a lock whose pid is this process but which another process (same pid, earlier) wrote', () => {
    writeLock({ pid: process.pid, procStart: '1', processStartedAt: 0 });
    expect(DataDirLock.acquire(dir)).toMatchObject({ tookOver: { pid: process.pid } });
  });

  it('takes over a lock written before the last reboot', () => {
    writeLock({ bootId: 'another-boot' });
    expect(DataDirLock.acquire(dir)).toHaveProperty('tookOver');
  });

  it.skipIf(!existsSync('/proc/self/stat'))('refuses while the holding process runs; takes over when its pid now belongs to a process started later', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      const pid = child.pid!;
      writeLock({ pid, procStart: procStart(pid) });
      expect(DataDirLock.acquire(dir)).toMatchObject({ heldBy: { pid }, sameProcess: false });
      writeLock({ pid, procStart: String(Number(procStart(pid)) - 1) });
      expect(DataDirLock.acquire(dir)).toMatchObject({ tookOver: { pid } });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a lock file that is not one (garbage) is taken over as unreadable', () => {
    writeFileSync(lockPath(), 'garbage');
    expect(DataDirLock.acquire(dir)).toMatchObject({ tookOver: 'unreadable' });
  });

  it('release leaves a lock that is no longer its own', () => {
    const lock = acquired();
    writeFileSync(lockPath(), JSON.stringify({ ...lock.owner, token: 'the-new-owner' }));
    lock.release();
    expect(readLock().token).toBe('the-new-owner');
  });

  it('leaves no draft or stale files behind', () => {
    writeFileSync(lockPath(), 'garbage');
    acquired();
    expect(readFileSync(lockPath(), 'utf8')).toContain(String(process.pid));
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
  });
});
