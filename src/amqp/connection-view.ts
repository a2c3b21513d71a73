import { isIP } from 'node:net';
import type { QueueRef } from '../core/queue/queue-ref.js';
import { plainTable } from '../core/plain-values.js';
import type { Registry, RegisteredConnection } from '../core/registry.js';
import type { BrokerStats } from '../core/stats/broker-stats.js';
import type {
  ChannelRef,
  ChannelSnapshot,
  ConnectionRef,
  ConnectionSnapshot,
  ConnectionState,
  ConsumerSnapshot,
} from '../core/snapshots.js';
import { amqpError } from '../errors/index.js';
import type { Channel } from './channel.js';
import type { Connection } from './connection.js';
import type { Consumer } from './consumer.js';
import { NO_TLS, tlsDetails, tlsFacts, type TlsDetails, type TlsFacts } from './tls-details.js';

const NO_PROPERTIES = plainTable({});

/**
 * A connection as the registry sees it: snapshots read from the live connection when asked (nothing
 * is kept up to date on the hot path but the byte and frame counters, which are plain integers
 * bumped per read chunk, per write batch and per frame), and the operator's close.
 */
export class ConnectionView implements RegisteredConnection {
  readonly id: string;
  readonly name: string;
  readonly owner: Connection;
  private readonly node: string;
  private readonly host: string;
  private readonly port: number;
  private readonly stats: BrokerStats;
  private readonly tlsFacts: TlsFacts | undefined;
  /** Formatted at the first snapshot: a certificate is parsed only when someone looks. */
  private tls: TlsDetails | undefined;

  constructor(conn: Connection, registry: Registry, stats: BrokerStats) {
    this.owner = conn;
    this.stats = stats;
    this.node = registry.node;
    this.id = registry.connectionId(conn.id);
    // Read once: a destroyed socket forgets its addresses, and a closing connection is still listed.
    this.host = conn.socket.localAddress ?? 'unknown';
    this.port = conn.socket.localPort ?? 0;
    this.name = `${hostPort(conn.remoteAddress, conn.remotePort)} -> ${hostPort(this.host, this.port)}`;
    this.tlsFacts = tlsFacts(conn.socket);
  }

  ref(): ConnectionRef {
    const c = this.owner;
    return Object.freeze({ id: this.id, name: this.name, clientName: c.clientName, peerHost: c.remoteAddress, peerPort: c.remotePort });
  }

  snapshot(): ConnectionSnapshot {
    const c = this.owner;
    return Object.freeze({
      id: this.id,
      name: this.name,
      node: this.node,
      clientName: c.clientName,
      clientProperties: c.client === undefined ? NO_PROPERTIES : plainTable(c.client.properties),
      protocol: 'AMQP 0-9-1',
      host: this.host,
      port: this.port,
      peerHost: c.remoteAddress,
      peerPort: c.remotePort,
      user: c.user,
      authMechanism: c.client?.mechanism,
      vhost: c.vhost?.name,
      state: connectionState(c),
      channels: c.channels.size,
      channelMax: c.channelMax,
      frameMax: c.frameMax,
      heartbeat: c.heartbeatMs / 1000,
      bytesIn: c.parser.bytesIn,
      bytesOut: c.outbound.bytesOut,
      bytesInRate: this.stats.octetRate(c.id, 0),
      bytesOutRate: this.stats.octetRate(c.id, 1),
      framesIn: c.parser.framesIn,
      framesOut: c.outbound.writer.frames,
      sendPending: c.outbound.buffered,
      connectedAt: c.openedAt,
      messageStats: this.stats.connection(c.id),
      ...this.tlsDetails(),
    } satisfies ConnectionSnapshot);
  }

  private tlsDetails(): TlsDetails {
    if (this.tlsFacts === undefined) return NO_TLS;
    this.tls ??= tlsDetails(this.tlsFacts);
    return this.tls;
  }

  channels(out: ChannelSnapshot[]): void {
    const conn = this.ref();
    for (const ch of this.owner.channels.values()) {
      out.push(
        Object.freeze({
          ...channelRef(ch, conn),
          node: this.node,
          vhost: ch.vhost.name,
          state: 'running',
          prefetchCount: ch.consumerPrefetch,
          globalPrefetchCount: ch.channelPrefetch,
          messagesUnacknowledged: ch.unacked.size,
          consumerCount: ch.consumers.size,
          confirm: ch.publisher.confirmMode,
          transactional: ch.isTransactional,
          messageStats: this.stats.channel(this.owner.id, ch.id),
        } satisfies ChannelSnapshot),
      );
    }
  }

  consumers(out: ConsumerSnapshot[]): void {
    const conn = this.ref();
    for (const ch of this.owner.channels.values()) {
      if (ch.consumers.size === 0) continue;
      const channel = Object.freeze(channelRef(ch, conn));
      for (const consumer of ch.consumers.values()) out.push(consumerSnapshot(consumer, channel));
    }
  }

  unackedOf(queue: QueueRef, visit: (channel: ChannelRef, tag: number, seq: number, consumerTag: string | undefined, at: number) => boolean): boolean {
    const conn = this.ref();
    for (const ch of this.owner.channels.values()) {
      if (ch.unacked.size === 0) continue;
      let viaConsumers = 0;
      let onQueue = false;
      for (const c of ch.consumers.values()) {
        viaConsumers += c.unacked;
        if (c.queue === queue) onQueue = true;
      }
      if (!onQueue && viaConsumers === ch.unacked.size) continue; // all held by consumers of other queues
      let channel: ChannelRef | undefined;
      let go = true;
      ch.unacked.forEachOf(queue, (tag, seq, consumerTag, at) => (go = visit((channel ??= channelRef(ch, conn)), tag, seq, consumerTag, at)));
      if (!go) return false;
    }
    return true;
  }

  close(reason: string): void {
    if (this.owner.state === 'closed') throw amqpError('WARREN_NOT_FOUND', `connection '${this.name}' is already closed`);
    this.owner.forceClose(reason);
  }
}

/** `127.0.0.1:5672`, `[::1]:5672`, as RabbitMQ writes connection names. */
function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function connectionState(c: Connection): ConnectionState {
  switch (c.state) {
    case 'handshake': {
      const stage = c.handshake.stage;
      return stage === 'connection.tune-ok' ? 'tuning' : stage === 'connection.open' ? 'opening' : 'starting';
    }
    case 'open':
      return c.isBlocked ? 'blocked' : 'running';
    default:
      return c.state;
  }
}

function channelRef(ch: Channel, connection: ConnectionRef): ChannelRef {
  return { id: `${connection.id}/${ch.id}`, name: `${connection.name} (${ch.id})`, number: ch.id, connection, user: ch.port.principal.user };
}

function consumerSnapshot(c: Consumer, channel: ChannelRef): ConsumerSnapshot {
  const queue = c.queue;
  const status = queue.consumerStatus(c);
  return Object.freeze({
    tag: c.tag,
    channel,
    queue: Object.freeze({ vhost: queue.vhost, name: queue.name }),
    ackRequired: !c.noAck,
    prefetchCount: c.prefetch,
    exclusive: c.exclusive,
    active: status !== 'waiting',
    activityStatus: status,
    unacknowledged: c.unacked,
    arguments: plainTable(c.arguments),
  } satisfies ConsumerSnapshot);
}
