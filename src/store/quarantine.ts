import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Where start-up moves what it cannot attribute: <dataDir>/quarantine/<start time>/<path as it
 * was under the data directory>. Moved with rename (same filesystem), never copied or deleted,
 * so an operator can put a file back exactly where it was once the cause is fixed.
 */
export class Quarantine {
  readonly root: string;
  private readonly dataDir: string;

  constructor(dataDir: string, startedAt: Date) {
    this.dataDir = dataDir;
    this.root = join(dataDir, 'quarantine', startedAt.toISOString().replace(/[:.]/g, '-'));
  }

  /** Moves path (a file or directory inside the data directory) and returns where it went. */
  move(path: string): string {
    const target = join(this.root, relative(this.dataDir, path));
    // rename() replaces an existing file: refuse rather than lose what an earlier start set aside.
    if (existsSync(target)) throw new Error(`quarantine: ${target} already exists; not moving ${path} over it`);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(path, target);
    return target;
  }
}
