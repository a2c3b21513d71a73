import type { Message } from '../message.js';
import type { MessageLog, SyncTicket } from '../persistence.js';

export const EntryState = {
  Ready: 0,
  Unacked: 1,
  /** Gone (expired, dropped, purged) while still sitting in a ready deque: skipped on the way out. */
  Removed: 2,
} as const;
export type EntryStateValue = (typeof EntryState)[keyof typeof EntryState];

/** One message's place in one queue. The message object itself is shared between queues. */
export interface QueueEntry {
  message: Message;
  /** Enqueue order; requeued entries go back to their original position by it. */
  readonly seq: number;
  /** The message priority clamped to the queue's x-max-priority (0 when not a priority queue). */
  readonly priority: number;
  redelivered: boolean;
  /** How often the entry came back unacknowledged (nack/reject with requeue, channel close). */
  returnCount: number;
  /** Absolute ms when the message expires in this queue; 0 = never. */
  readonly expiresAt: number;
  /** The queue-level TTL or per-message expiration that set expiresAt, for x-death. */
  state: EntryStateValue;
  /** Sitting in the queue's expiry heap. */
  inHeap: boolean;
  /** Where the store keeps it (persistent message on a durable queue), else undefined. */
  location: unknown;
}

/** A ready entry for a message entering a queue (published, or restored by recovery). */
export function newEntry(message: Message, seq: number, priority: number, expiresAt: number, redelivered: boolean, location: unknown): QueueEntry {
  return { message, seq, priority, redelivered, returnCount: 0, expiresAt, state: EntryState.Ready, inHeap: false, location };
}

/** Appends a persistent entry to its queue's message log; a publisher's ticket waits for the fsync. Returns the location. */
export function persistEntry(log: MessageLog, entry: QueueEntry, ticket: SyncTicket | undefined): unknown {
  const m = entry.message;
  const record = { exchange: m.exchange, routingKey: m.routingKey, properties: m.rawProperties, body: m.body, priority: entry.priority, expiresAt: entry.expiresAt };
  if (ticket === undefined) return log.append(record);
  ticket.waiting++;
  return log.append(record, (ok) => ticket.synced(ok));
}
