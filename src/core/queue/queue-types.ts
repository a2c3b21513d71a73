import type { FieldTable } from '../../protocol/field-table.js';
import type { Clock } from '../clock.js';
import type { Message } from '../message.js';
import type { PageStore } from '../persistence.js';
import type { Principal } from '../principal.js';
import type { QueueArgs } from './arguments.js';
import type { DeathReason } from './dead-letter.js';
import type { Queue } from './queue.js';
import type { HeldBytes } from './ready-store.js';
export { QueueCounters } from '../stats/counters.js';

/** How a queue was declared. */
export interface QueueOptions {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  readonly args: QueueArgs;
  /** The connection an exclusive queue belongs to. */
  readonly owner: Principal | undefined;
  /** Cluster: the node this queue lives on when it is not this one (a stub here); undefined: local. */
  readonly ownerNode?: string | undefined;
}

/** What a queue asks of its vhost. */
export interface QueueEvents {
  /** The last consumer of an auto-delete queue went, or x-expires ran out: delete the queue. */
  onUnused(queue: Queue): void;
  /** A message leaves with a reason; routes it to the dead-letter exchange if there is one. */
  deadLetter(queue: Queue, message: Message, reason: DeathReason): void;
  /** A page file for this queue's tail; undefined when the broker has no store (paging off). */
  openPageStore?(queue: Queue): PageStore | undefined;
  /** A timer or microtask of this queue threw: a bug, reported; the queue stays usable. */
  fault?(queue: Queue, task: string, err: unknown): void;
  /** The vhost's count of message bytes its queues hold in memory (for the memory alarm). */
  readonly held?: HeldBytes;
  /** Time for TTL and x-expires: the broker's clock, or a test's manual one. */
  readonly clock: Clock;
}
