import { mkdirSync } from 'node:fs';
import { StartupError } from './errors/startup.js';
import { DataDirLock } from './store/data-dir-lock.js';
import type { Logger } from './util/logger.js';

const WHY: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (the user running Warren must be able to read and write it)',
  EPERM: 'operation not permitted (the user running Warren must be able to read and write it)',
  EROFS: 'the filesystem is read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  ENOSPC: 'no space left on the device',
  EISDIR: 'a directory where a file belongs',
};

/** An error of the filesystem that the operator fixes in the data directory (not a bug). */
export function isDataDirProblem(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && WHY[code] !== undefined;
}

/** Why the directory cannot be used, as a StartupError naming it (exit code 3). */
export function dataDirError(dataDir: string, err: unknown): StartupError {
  const e = err as NodeJS.ErrnoException;
  const known = e.code !== undefined ? WHY[e.code] : undefined;
  const why = known ?? (err instanceof Error ? err.message : String(err));
  const where = e.path !== undefined && e.path !== dataDir ? ` (${e.path})` : '';
  return new StartupError('data-dir', `cannot use data directory ${dataDir}: ${why}${known !== undefined ? ` [${e.code}]` : ''}${where}`, { cause: err });
}

/**
 * Makes the data directory and takes its lock, before any other file in it is read or written:
 * a second broker on the same directory, in this process or another, stops here.
 */
export function claimDataDir(dataDir: string, logger: Logger): DataDirLock {
  let result;
  try {
    mkdirSync(dataDir, { recursive: true });
    result = DataDirLock.acquire(dataDir);
  } catch (err) {
    throw dataDirError(dataDir, err);
  }
  if ('heldBy' in result) {
    const h = result.heldBy;
    const who = result.sameProcess ? `another broker in this process (pid ${h.pid})` : `pid ${h.pid} on ${h.hostname}`;
    throw new StartupError(
      'data-dir',
      `data directory ${dataDir} is in use by ${who} since ${h.acquiredAt}: stop that broker or give this one another --data-dir. ` +
        `If no broker is running there, the lock file ${result.path} is stale and may be removed.`,
    );
  }
  if (result.tookOver !== undefined) {
    const old = result.tookOver;
    const was = old === 'unreadable' ? 'an unreadable lock file' : `the lock of pid ${old.pid} (taken ${old.acquiredAt}), which is no longer running`;
    logger.warn({ event: 'data-dir.lock-taken-over', dataDir, previous: old }, `took over ${was}; the previous broker did not stop cleanly`);
  }
  return result.lock;
}
