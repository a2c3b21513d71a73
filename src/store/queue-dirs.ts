import { createHash } from 'node:crypto';

/**
 * A queue's message directory, relative to the data directory: a hash, since queue names may be
 * 255 bytes of anything. The definitions log's deletion records name it, so the start-up sweep
 * can tell the leftovers of a deleted queue from files it knows nothing about.
 */
export function queueDirName(vhost: string, queue: string): string {
  return `msgs/${createHash('sha1').update(vhost).update('\u0000').update(queue).digest('hex')}`;
}

/** Held messages of a durable delayed exchange live beside the queues' logs. */
export function delayedDirName(vhost: string, exchange: string): string {
  return queueDirName(vhost, `\u0000delayed\u0000${exchange}`);
}
