import { createHash } from 'node:crypto';
import { wireBytes } from '../util/wire-string.js';

/**
 * A queue's message directory, relative to the data directory: a hash, since queue names may be
 * 255 bytes of anything. The definitions log's deletion records name it, so the start-up sweep
 * can tell the leftovers of a deleted queue from files it knows nothing about.
 */
export function queueDirName(vhost: string, queue: string): string {
  return `msgs/${nameHash(vhost, queue)}`;
}

/**
 * sha1 of the names' exact bytes: update(string) would hash escaped non-UTF-8 bytes as U+FFFD, so two
 * different names could share a directory. For UTF-8 names the bytes, and so the directories, are as before.
 */
export function nameHash(vhost: string, name: string): string {
  return createHash('sha1').update(wireBytes(vhost)).update('\u0000').update(wireBytes(name)).digest('hex');
}

/** Held messages of a durable delayed exchange live beside the queues' logs. */
export function delayedDirName(vhost: string, exchange: string): string {
  return queueDirName(vhost, `\u0000delayed\u0000${exchange}`);
}
