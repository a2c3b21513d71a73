import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { StartupError } from './errors/startup.js';
import { FORMAT_VERSION, type RefusedFile } from './store/format.js';
import { scanHeaders } from './store/header-scan.js';
import type { Quarantine } from './store/quarantine.js';
import type { Logger } from './util/logger.js';

const LISTED = 3;

/**
 * Start-up stops, with nothing in the data directory changed, when a file's header is foreign,
 * damaged or of a newer format, as RabbitMQ refuses to boot on a schema it does not know.
 * With forceRecovery those files are moved to the quarantine instead, and start-up goes on
 * without them.
 */
export async function checkStoreFormats(dataDir: string, forceRecovery: boolean, quarantine: Quarantine, logger: Logger): Promise<void> {
  const refused = await scanHeaders(dataDir);
  if (refused.length === 0) return;
  if (!forceRecovery) throw refusal(dataDir, refused);
  for (const f of refused) {
    const moved = [f.path];
    // A segment without its ack log would be a different file set; move them as one.
    const acks = join(dirname(f.path), basename(f.path).replace(/^msgs\./, 'acks.'));
    if (acks !== f.path && existsSync(acks) && !refused.some((r) => r.path === acks)) moved.push(acks);
    for (const path of moved) {
      const to = quarantine.move(path);
      logger.error(
        { event: 'store.quarantined', file: path, to, problem: f.problem.text },
        `--force-recovery: moved ${path} (${f.problem.text}) to ${to}; start-up continues without it`,
      );
    }
  }
}

/** What is wrong, which files, which version wrote them, and what to do: one line for the log and stderr. */
export function refusal(dataDir: string, files: readonly RefusedFile[]): StartupError {
  const listed = files.slice(0, LISTED).map((f) => `${f.path}: ${f.problem.text}`);
  if (files.length > LISTED) listed.push(`and ${files.length - LISTED} more`);
  const newer = files.find((f) => f.problem.kind === 'newer');
  const advice =
    newer !== undefined
      ? `A newer Warren (storage format ${newer.problem.kind === 'newer' ? newer.problem.version : '?'}) wrote this data directory; ` +
        `this one reads format ${FORMAT_VERSION} and does not downgrade it: start the version that wrote it, or a newer one.`
      : 'If a file is damaged, restore it from a backup; if it is not Warren\'s, move it out of the data directory.';
  return new StartupError(
    'store-format',
    `refusing to start on data directory ${dataDir}: ${listed.join('; ')}. Nothing was changed. ${advice} ` +
      `--force-recovery starts anyway, moving what cannot be read to ${join(dataDir, 'quarantine')}/ (never deleting it).`,
  );
}
