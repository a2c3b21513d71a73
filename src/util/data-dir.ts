import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    mkdirSync(dir, { recursive: true });
    // mkdir succeeds on an existing directory that cannot be written; find that out now, not on the first write.
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw dataDirError(dir, err) ?? err;
  }
}

/** A private directory under the OS temp dir, for an embedded broker started without a dataDir. */
export function createPrivateDataDir(): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'warren-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
