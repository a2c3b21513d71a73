import type { Principal } from './principal.js';
import type { QueueRef } from './queue/queue-ref.js';
import type { ChannelRef, ChannelSnapshot, ConnectionRef, ConnectionSnapshot, ConsumerSnapshot } from './snapshots.js';

/**
 * What a protocol layer registers for each live connection: snapshots of it, its channels and
 * consumers, and the one command an operator has on it. Core never sees the connection itself,
 * only this (the AMQP side implements it in amqp/connection-view.ts).
 */
export interface RegisteredConnection {
  /** Node-qualified, unique for the broker's lifetime. */
  readonly id: string;
  /** RabbitMQ's `peerhost:peerport -> host:port`. */
  readonly name: string;
  ref(): ConnectionRef;
  snapshot(): ConnectionSnapshot;
  channels(out: ChannelSnapshot[]): void;
  consumers(out: ConsumerSnapshot[]): void;
  /** Visits this connection's deliveries of `queue` awaiting ack (channel by channel, tag order) until visit returns false; false then. */
  unackedOf(queue: QueueRef, visit: (channel: ChannelRef, tag: number, seq: number, consumerTag: string | undefined, at: number) => boolean): boolean;
  /** connection.close 320 CONNECTION_FORCED with `reason` as the detail; the socket ends after close-ok (bounded). */
  close(reason: string): void;
}

/** The live connections of one broker, under node-qualified ids. */
export class Registry {
  /** This broker's node name: what every id is qualified with. */
  readonly node: string;
  private readonly byId = new Map<string, RegisteredConnection>();

  constructor(node: string) {
    this.node = node;
  }

  /** `<node>/<n>`: n numbers the connections a broker accepted. */
  connectionId(n: number): string {
    return `${this.node}/${n}`;
  }

  add(connection: RegisteredConnection): void {
    this.byId.set(connection.id, connection);
  }

  /** The connection with this id went away (a no-op for one never added). */
  remove(id: string): void {
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  connections(): IterableIterator<RegisteredConnection> {
    return this.byId.values();
  }

  /** By id or by RabbitMQ-style name (a scan: connections are looked up by name only by operators). */
  find(idOrName: string): RegisteredConnection | undefined {
    const byId = this.byId.get(idOrName);
    if (byId !== undefined) return byId;
    for (const c of this.byId.values()) if (c.name === idOrName) return c;
    return undefined;
  }

  /** The registered connection an exclusive queue's owner acts through. */
  ofOwner(owner: Principal | undefined): RegisteredConnection | undefined {
    return owner === undefined ? undefined : this.byId.get(owner.connectionId);
  }
}
