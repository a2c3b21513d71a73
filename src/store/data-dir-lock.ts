import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'warren.lock';

/** Who holds a data directory, as written in its lock file. */
export interface LockOwner {
  readonly pid: number;
  /** Tells apart two brokers in one process (same pid) and a reused pid. */
  readonly token: string;
  readonly hostname: string;
  /** Linux: the kernel's boot id and the process's start time in clock ticks since boot (/proc). */
  readonly bootId?: string;
  readonly procStart?: string;
  /** ms since the epoch: when the holding process started (approximate; where /proc is missing). */
  readonly processStartedAt: number;
  readonly acquiredAt: string;
}

export type LockResult =
  | { readonly lock: DataDirLock; readonly tookOver?: LockOwner | 'unreadable' }
  | { readonly heldBy: LockOwner; readonly sameProcess: boolean; readonly path: string };

/** Node has no flock(): a lock file, published whole with link() so nobody ever reads half of one. */
export class DataDirLock {
  readonly path: string;
  readonly owner: LockOwner;
  private released = false;

  private constructor(path: string, owner: LockOwner) {
    this.path = path;
    this.owner = owner;
  }

  /**
   * Takes the data directory's lock, or says who holds it. A lock whose process is gone (pid not
   * running, or running but started at another time: a reused pid, or another boot) is taken
   * over. Creating the lock needs a writable directory, so EACCES/EROFS/ENOTDIR surface here.
   */
  static acquire(dataDir: string): LockResult {
    const path = join(dataDir, LOCK_FILE);
    const me = selfOwner();
    const text = `${JSON.stringify(me)}\n`;
    const draft = join(dataDir, `${LOCK_FILE}.${me.token}`);
    const fd = openSync(draft, 'wx');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let tookOver: LockOwner | 'unreadable' | undefined;
    try {
      // A few rounds: each one either takes the lock, finds it held, or removes one stale lock.
      for (let round = 0; round < 8; round++) {
        try {
          linkSync(draft, path); // fails with EEXIST when a lock is there: atomic test-and-set
          return { lock: new DataDirLock(path, me), ...(tookOver === undefined ? {} : { tookOver }) };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const seen = readText(path);
        if (seen === undefined) continue; // released meanwhile
        const holder = parseOwner(seen);
        if (holder !== undefined && isRunning(holder, me)) {
          return { heldBy: holder, sameProcess: holder.pid === me.pid, path };
        }
        if (removeIfUnchanged(path, seen, join(dataDir, `${LOCK_FILE}.stale-${me.token}`))) tookOver = holder ?? 'unreadable';
      }
      throw new Error(`${path} kept changing while taking it over; is another broker starting on this directory?`);
    } finally {
      unlinkSync(draft);
    }
  }

  /** Removes the lock file if it is still this broker's. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const seen = readText(this.path);
    if (seen !== undefined && parseOwner(seen)?.token === this.owner.token) unlinkSync(this.path);
  }
}

/**
 * Moves the stale lock aside and deletes it, unless what was moved is not what was judged stale
 * (another broker replaced it in between): then it is put back.
 */
function removeIfUnchanged(path: string, judged: string, aside: string): boolean {
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (readText(aside) === judged) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // a third broker took the lock meanwhile: it holds it; ours goes on to find it held
  }
  unlinkSync(aside);
  return false;
}

function isRunning(holder: LockOwner, me: LockOwner): boolean {
  // On another host the pid says nothing: assume it runs (the error tells the operator what to do).
  if (holder.hostname !== me.hostname) return true;
  if (holder.bootId !== undefined && me.bootId !== undefined && holder.bootId !== me.bootId) return false;
  if (holder.pid === me.pid) {
    // This very process (another broker in it), or an earlier process that had the same pid.
    if (holder.procStart !== undefined && me.procStart !== undefined) return holder.procStart === me.procStart;
    return Math.abs(holder.processStartedAt - me.processStartedAt) < 1000;
  }
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists but belongs to another user.
  }
  if (holder.procStart === undefined) return true;
  const now = procStartOf(String(holder.pid));
  return now === undefined || now === holder.procStart;
}

function selfOwner(): LockOwner {
  const bootId = readText('/proc/sys/kernel/random/boot_id')?.trim();
  const procStart = procStartOf('self');
  return {
    pid: process.pid,
    token: randomBytes(12).toString('hex'),
    hostname: hostname(),
    ...(bootId === undefined ? {} : { bootId }),
    ...(procStart === undefined ? {} : { procStart }),
    processStartedAt: Math.round(Date.now() - process.uptime() * 1000),
    acquiredAt: new Date().toISOString(),
  };
}

/** Field 22 of /proc/<pid>/stat: start time after boot, in clock ticks; the name (field 2) may hold spaces. */
function procStartOf(pid: string): string | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockOwner>;
    if (typeof v.pid !== 'number' || typeof v.token !== 'string' || typeof v.hostname !== 'string') return undefined;
    return v as LockOwner;
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
