import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { StartupError } from '../errors/startup.js';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (the user running Warren must be able to create and write it)',
  EPERM: 'operation not permitted (the user running Warren must be able to create and write it)',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it exists and is not a directory',
  ENOSPC: 'no space left on the device',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'the path is too long',
  ENOENT: 'a part of the path does not exist and cannot be created',
};

/** A file-system error on the data directory as one plain line naming the directory, or undefined. */
export function dataDirError(dir: string, err: unknown): StartupError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason === undefined) return undefined;
  return new StartupError('data-dir', `cannot use data directory ${dir}: ${reason} (see --data-dir)`, { cause: err });
}

/** Creates the data directory if needed and checks it can be written; throws StartupError('data-dir'). */
export function prepareDataDir(dir: string): void {
  try {
    makeDirectory(dir);
    // mkdir succeeds on an existing directory that cannot be written; find that out now, not on the first write.
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw dataDirError(dir, err) ?? err;
  }
}

/**
 * mkdir -p. Node's recursive mkdir reports ENOENT where the real reason is EROFS (a read-only
 * file system): creating the first missing directory alone gives the real one.
 */
function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    let missing = dir;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    mkdirSync(missing); // throws the real reason
    mkdirSync(dir, { recursive: true });
  }
}

/** A private directory under the OS temp dir, for an embedded broker started without a dataDir. */
export function createPrivateDataDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'warren-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
