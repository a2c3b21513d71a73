import type { Message } from '../message.js';
import type { QueueEntry } from '../queue/entry.js';
import type { Queue } from '../queue/queue.js';

/** At most this many messages per browse (the HTTP API's count is capped to it). */
export const MAX_BROWSE_COUNT = 1000;
/** A browse stops adding messages once their bodies reach this many bytes (one message at least). */
export const MAX_BROWSE_BYTES = 64 * 1024 * 1024;

/** One ready message as browse sees it: a look, the queue unchanged. */
export interface BrowsedMessage {
  /** Its place among the ready messages: 0 is the one the next consumer or basic.get gets. */
  readonly position: number;
  readonly message: Message;
  readonly redelivered: boolean;
  /** Ready messages behind it when browsed (RabbitMQ's get reply: message_count, what a get would leave). */
  readonly behind: number;
}

export interface BrowseOptions {
  /** First position to show (default 0, the head). */
  readonly from?: number;
  /** How many (default 1; capped to MAX_BROWSE_COUNT). */
  readonly count?: number;
}

/**
 * Reads a queue's ready messages from a position without delivering, redelivering, reordering or
 * counting anything: RabbitMQ's "get with requeue" moves the message to the back and marks it
 * redelivered, this does neither. Delivery order: for a priority queue highest priority first, FIFO
 * within a priority; for a long queue the in-memory window first, then the paged tail, read record
 * by record from disk (only the records shown, never the whole tail). Expired messages that wait to
 * be dropped are skipped, as a delivery would skip them. Messages being requeued in bulk at that
 * moment (a closing channel's) are not seen until they are back.
 */
export function browseQueue(queue: Queue, options: BrowseOptions, now: number): Promise<BrowsedMessage[]> {
  const from = Math.max(0, Math.floor(options.from ?? 0));
  const count = Math.min(MAX_BROWSE_COUNT, Math.max(0, Math.floor(options.count ?? 1)));
  const { ready, paging } = queue.internals();
  const out: BrowsedMessage[] = [];
  const total = queue.messageCount;
  let bytes = 0;
  const full = (): boolean => out.length >= count || (out.length > 0 && bytes >= MAX_BROWSE_BYTES);
  let position = 0;
  ready.forEachReady((e: QueueEntry) => {
    if (full()) return false;
    if (e.expiresAt !== 0 && e.expiresAt <= now) return true;
    if (position >= from) {
      out.push({ position, message: e.message, redelivered: e.redelivered, behind: Math.max(0, total - position - 1) });
      bytes += e.message.bodySize;
    }
    position++;
    return true;
  });
  if (full() || queue.isDeleted) return Promise.resolve(out);
  const skip = Math.max(0, from - position);
  const start = Math.max(from, position);
  return new Promise((resolve) => {
    paging.browse(skip, count - out.length, now, (entries) => {
      let p = start;
      for (const e of entries) {
        if (full()) break;
        // A record that went while it was read (consumed, expired, purged) is left out, its position with it.
        if (e.message === undefined) continue;
        out.push({ position: p, message: e.message, redelivered: e.redelivered, behind: Math.max(0, total - p - 1) });
        p++;
        bytes += e.message.bodySize;
      }
      resolve(out);
    });
  });
}
