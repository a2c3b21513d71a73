import type { ResourceAlarms } from './amqp/flow-control.js';
import type { Persistence } from './persistence.js';
import type { Logger } from './util/logger.js';

const ALARM_CHECK_MS = 250;

/**
 * The store's signals to the resource alarms: page writes behind the disk hold publishers back,
 * and failing writes (a full or broken data directory, message logs, page files or the
 * definitions log alike) raise the disk alarm until a retried write goes through. Called once the
 * server exists, since an alarm change blocks its connections; a failure met during recovery counts.
 */
export function wireStoreAlarms(persistence: Persistence, alarms: ResourceAlarms, logger: Logger): void {
  const { pageWrites } = persistence;
  pageWrites.onBehind = (behind) => alarms.setWritesBehind(behind);
  pageWrites.onError = (err) => logger.warn({ event: 'paging.io-failed', err }, 'page file write or read failed; retrying');
  pageWrites.health.onChange = (failing, err) => alarms.setWritesFailing(failing, err);
  if (pageWrites.health.failing) alarms.setWritesFailing(true, undefined);
}

/** Memory and disk are checked on this timer (unref'd: it keeps no process alive); clearInterval stops it. */
export function startAlarmChecks(alarms: ResourceAlarms, internalError: (err: unknown, where: Readonly<Record<string, unknown>>) => void): NodeJS.Timeout {
  const timer = setInterval(() => {
    try {
      alarms.check();
    } catch (err) {
      internalError(err, { during: 'alarm check' });
    }
  }, ALARM_CHECK_MS);
  timer.unref();
  return timer;
}
