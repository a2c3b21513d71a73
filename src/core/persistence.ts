import type { FieldTable } from '../protocol/field-table.js';
import type { Exchange } from './exchange/exchange.js';
import type { Queue } from './queue/queue.js';

/** A persistent message as the store keeps it. */
export interface PersistedMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly properties: Buffer;
  readonly body: Buffer;
  readonly priority: number;
  readonly expiresAt: number;
}

/** One durable queue's message log (store/queue-log.ts implements it). */
export interface MessageLog {
  /** Appends; onSynced runs once the bytes are on disk. Returns the message's location. */
  append(message: PersistedMessage, onSynced?: () => void): unknown;
  delivered(location: unknown): void;
  removed(location: unknown): void;
  destroy(): void;
}

/**
 * What the vhost tells the durability layer. The listener decides what is durable (durable
 * exchanges and queues; bindings between two durable ends) and writes the definitions log.
 */
export interface TopologyListener {
  exchangeDeclared(vhost: string, exchange: Exchange): void;
  exchangeDeleted(vhost: string, exchange: Exchange): void;
  queueDeclared(vhost: string, queue: Queue): MessageLog | undefined;
  queueDeleted(vhost: string, queue: Queue): void;
  bindingAdded(vhost: string, source: Exchange, destination: Queue | Exchange, routingKey: string, args: FieldTable): void;
  bindingRemoved(vhost: string, source: Exchange, destination: Queue | Exchange, routingKey: string, args: FieldTable): void;
}

/** A publisher confirm waiting for disk: each durable queue that wrote the message holds it once. */
export interface SyncTicket {
  waiting: number;
  synced(): void;
}
