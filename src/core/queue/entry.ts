import type { Message } from '../message.js';

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
