import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { Registry } from '../core/registry.js';
import type { AccessControl } from '../core/security/access.js';
import type { UserStore } from '../core/security/users.js';
import type { VhostLimits } from '../core/vhost-meta.js';
import type { ReplicationWaits } from '../core/replication.js';
import type { LoginThrottle } from './login-throttle.js';
import type { VirtualHost } from '../core/vhost.js';
import type { BrokerStats } from '../core/stats/broker-stats.js';
import type { FieldTable } from '../protocol/field-table.js';
import type { Logger } from '../util/logger.js';

/** What a connection needs from the broker around it; passed in, never global. */
export interface BrokerContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  /** Permissions: connection.open asks whether the user may use the vhost; channels check operations. */
  readonly access: AccessControl;
  readonly serverProperties: FieldTable;
  /** Counters: connections and channels register theirs here when they open. */
  readonly stats: BrokerStats;
  /** Coarse wall clock in ms, refreshed by the server's ticker: heartbeats and the handshake timeout. */
  now(): number;
  /** The broker's clock (BrokerOptions.clock): consumer timeouts, as core's TTL and expiry. */
  readonly clock: Clock;
  /**
   * A bug surfaced while serving a client (an exception no handler expected): logs it with its stack
   * and counts it (Broker.internalErrors). The caller then ends only what failed.
   */
  internalError(err: unknown, where: Readonly<Record<string, unknown>>): void;
  /** Live connections under node-qualified ids, for the read model: the server adds and removes them. */
  readonly registry: Registry;
  /** Logins are checked against it. */
  readonly users: UserStore;
  /** Failed logins per peer address: the refusal waits for a peer that keeps failing. */
  readonly loginThrottle: LoginThrottle;
  /** A vhost's limits; undefined when it has none (or is gone). */
  vhostLimits(vhost: string): VhostLimits | undefined;
  /** What the per-vhost and per-user limits count: open connections and their channels. */
  readonly counts: LimitCounts;
  /** In a cluster: topology replies wait for the replicated metadata write (core/replication.ts); undefined alone. */
  readonly replication?: ReplicationWaits | undefined;
  /** Faults a test injects (warren/testing): the publish path reads one integer of it. */
  readonly faults: PublishFaults;
  /** Memory and disk alarms: publishing connections are blocked while one is on. */
  readonly alarms: { readonly active: boolean; readonly reason: string; noteIncoming(bytes: number): void };
}

export interface PublishFaults {
  /** The next this many confirm-mode publishes are not routed and get basic.nack. */
  nackNext: number;
}

export interface LimitCounts {
  connectionsOn(vhost: string): number;
  connectionsOf(user: string): number;
  channelsOf(user: string): number;
}
