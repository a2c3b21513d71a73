import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StartupError } from './errors/startup.js';
import { DataDirLock } from './store/data-dir-lock.js';
import type { Logger } from './util/logger.js';

const WHY: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (the user running Warren must be able to create and write it)',
  EPERM: 'operation not permitted (the user running Warren must be able to create and write it)',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  EISDIR: 'a directory where a file belongs',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'a part of the path does not exist and cannot be created',
};

/** An error of the filesystem that the operator fixes in the data directory (not a bug). */
export function isDataDirProblem(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && WHY[code] !== undefined;
}

/** Why the directory cannot be used, as one plain line naming it (StartupError 'data-dir', exit 3). */
export function dataDirError(dataDir: string, err: unknown): StartupError {
  const e = err as NodeJS.ErrnoException;
  const known = e.code !== undefined ? WHY[e.code] : undefined;
  const why = known ?? (err instanceof Error ? err.message : String(err));
  // A file inside the directory (definitions.log that is a directory): name it; the directory itself is named anyway.
  const where = e.path !== undefined && e.path.startsWith(`${dataDir}/`) ? ` (${e.path})` : '';
  return new StartupError('data-dir', `cannot use data directory ${dataDir}: ${why}${where} (see --data-dir)`, { cause: err });
}

/**
 * mkdir -p, then a check that it can be written (mkdir succeeds on an existing directory that
 * cannot). Node's recursive mkdir reports ENOENT where the real reason is EROFS: creating the
 * first missing directory alone gives the real one.
 */
function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = dir;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    mkdirSync(missing); // throws the real reason
    mkdirSync(dir, { recursive: true });
  }
  accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
}

/** A private directory under the OS temp dir, for an embedded broker started without a dataDir. */
export function createPrivateDataDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'warren-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Makes the data directory and takes its lock, before any other file in it is read or written:
 * a second broker on the same directory, in this process or another, stops here.
 */
export function claimDataDir(dataDir: string, logger: Logger): DataDirLock {
  let result;
  try {
    prepareDataDir(dataDir);
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
