import { readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Logger } from '../util/logger.js';
import type { Quarantine } from './quarantine.js';

/**
 * What is left in msgs/ after recovery that no durable queue or delayed exchange claims. Only a
 * directory the definitions log records as deleted is removed (its deletion was on disk before
 * the directory went, so a crash between the two leaves exactly this); anything else is moved to
 * the quarantine, never deleted: it may be the only copy of messages whose definitions were lost.
 */
export async function sweepMessageDirs(
  dataDir: string,
  live: ReadonlySet<string>,
  deleted: ReadonlySet<string>,
  quarantine: Quarantine,
  logger: Logger,
): Promise<void> {
  const root = join(dataDir, 'msgs');
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return;
  }
  for (const e of entries.sort()) {
    const dir = join(root, e);
    if (live.has(dir)) continue;
    if (deleted.has(relative(dataDir, dir))) {
      await rm(dir, { recursive: true, force: true });
      logger.info({ event: 'store.orphan-removed', dir }, 'removed the messages of a deleted queue (the definitions log records its deletion)');
      continue;
    }
    const to = quarantine.move(dir);
    logger.error(
      { event: 'store.quarantined', file: dir, to },
      `${dir} belongs to no queue in the definitions log and no deletion is recorded for it: moved to ${to}, not deleted`,
    );
  }
}
