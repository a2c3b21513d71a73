import type { FieldTable } from '../protocol/field-table.js';

// The ports between core and the durability layer. They name what the store reads of a queue or an
// exchange, not the classes: a store does not depend on core's implementation, and a queue held
// elsewhere (another node) can be described by the same shapes.

/** What the durability layer reads of a queue: its name, its declared flags and its message log. */
export interface QueueDefinition {
  readonly name: string;
  readonly options: {
    readonly durable: boolean;
    readonly exclusive: boolean;
    readonly autoDelete: boolean;
    readonly arguments: FieldTable;
    /** Cluster: set on a stub of a queue that lives on another node. */
    readonly ownerNode?: string | undefined;
  };
  readonly log: MessageLog | undefined;
}

/** What the durability layer reads of an exchange; `delayed` is set for an x-delayed-message exchange. */
export interface ExchangeDefinition {
  readonly name: string;
  readonly type: string;
  readonly options: {
    readonly durable: boolean;
    readonly autoDelete: boolean;
    readonly internal: boolean;
    readonly arguments: FieldTable;
  };
  readonly delayed: object | undefined;
}

/** A binding's destination; an exchange is the one with a `type`. */
export type BindingDestination = QueueDefinition | ExchangeDefinition;

export function isExchangeDefinition(d: BindingDestination): d is ExchangeDefinition {
  return 'type' in d;
}

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
  /** Appends; onSynced(true) once the bytes are on disk, onSynced(false) if writing failed. Returns the location. */
  append(message: PersistedMessage, onSynced?: (ok: boolean) => void): unknown;
  delivered(location: unknown): void;
  removed(location: unknown): void;
  destroy(): void;
  /** Locations as numbers, for paged entries. */
  readonly codec: LocationCodec;
}

/**
 * What the vhost tells the durability layer. The listener decides what is durable (durable
 * exchanges and queues; bindings between two durable ends) and writes the definitions log.
 */
export interface TopologyListener {
  /** Returns the held-message log of a durable x-delayed-message exchange. */
  exchangeDeclared(vhost: string, exchange: ExchangeDefinition): MessageLog | undefined;
  exchangeDeleted(vhost: string, exchange: ExchangeDefinition): void;
  queueDeclared(vhost: string, queue: QueueDefinition): MessageLog | undefined;
  queueDeleted(vhost: string, queue: QueueDefinition): void;
  bindingAdded(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void;
  bindingRemoved(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void;
  /** A page file for a long queue's tail (any queue, durable or not). */
  openPageStore(vhost: string, queue: QueueDefinition): PageStore;
  /** Grows with every definitions record written (group-committed, so not yet on disk). */
  definitionsMark(): number;
  /** done(ok) once every record up to mark is on disk, returning true; false when they already are. */
  whenDefinitionsSynced(mark: number, done: (ok: boolean) => void): boolean;
}

/** A publisher confirm waiting for disk: each durable queue that wrote the message holds it once. */
export interface SyncTicket {
  waiting: number;
  synced(ok?: boolean): void;
}

/**
 * A queue's paged tail on disk (store/page-file.ts implements it). Records get a logical position
 * that only grows; the bytes go out asynchronously and come back asynchronously, so nothing here
 * blocks the event loop on the disk. Space is reclaimed as records are released.
 */
export interface PageStore {
  /** Queues the parts as one record for writing; returns its position. */
  append(parts: readonly Buffer[]): number;
  /**
   * Reads [position, position + length) and calls done with the bytes, always asynchronously.
   * Bytes of records already released may be missing (their space may be gone); callers skip them.
   */
  read(position: number, length: number, done: (bytes: Buffer) => void): void;
  /** The record at position is no longer needed (read back, or removed): its space can go. */
  release(position: number): void;
  /** Every record is gone (purge): all space goes, appends start afresh. */
  clear(): void;
  /** The queue is gone: stop, drop everything, call no more callbacks. */
  destroy(): void;
}

/**
 * A message log location as two numbers, so paged entries keep no objects. A log that can read its
 * records back (store/queue-log.ts) also offers the three optional members: then a paged persistent
 * message is not written again to a page file, its log record is read back instead.
 */
export interface LocationCodec {
  encode(location: unknown): [number, number];
  decode(a: number, b: number): unknown;
  /** Bytes of the location's record in the log; undefined when not known (then it is paged as a copy). */
  recordLength?(location: unknown): number | undefined;
  /** Reads bytes [b, b + length) of the log file a encodes (records lie end to end); undefined if it went. */
  readRecords?(a: number, b: number, length: number, done: (bytes: Buffer | undefined) => void): void;
  /** The message of the record at `at` in bytes readRecords returned; undefined if the bytes are not one. */
  recordMessage?(bytes: Buffer, at: number): PersistedMessage | undefined;
}
