import type { AccessOps } from './access-ops.js';
import type { ReadModel } from '../core/read-model.js';
import type { VhostPermission } from '../core/security/permissions.js';
import type { UserSnapshot } from '../core/security/users.js';
import type { StatsReader } from '../core/stats/snapshot.js';
import type { VhostMetadata } from '../core/vhost-meta.js';
import type { TopologyOps } from './topology-ops.js';
import type { InspectOps } from './inspect-ops.js';
import type { RuntimeParametersOps } from './parameters-ops.js';

/** One listener as /api/overview shows it (RabbitMQ's listeners[]). */
export interface ListenerInfo {
  readonly protocol: 'amqp' | 'amqp/ssl' | 'http' | 'https';
  readonly ipAddress: string;
  readonly port: number;
}

/** An amqps listener's certificate files and when each certificate in them stops being valid (RabbitMQ reads them at each check). */
export interface ListenerCertificates extends ListenerInfo {
  readonly certfile: string;
  readonly cacertfile: string | null;
  /** notAfter (epoch ms) of each certificate in the file, or why the file cannot be read. */
  readonly certfileNotAfter: readonly number[] | string;
  readonly cacertfileNotAfter: readonly number[] | string;
}

/** A user as the management API shows it to administrators: RabbitMQ lists the hash too. */
export interface ManagementUser extends UserSnapshot {
  readonly passwordHash: string;
}

/**
 * What the management API needs of a broker, and nothing more: the read model and counters for
 * what it shows, the users store for login and listing, permissions for vhost visibility. The
 * composition root (src/broker-management.ts) builds it from the broker's parts, so src/http never
 * imports the broker itself.
 */
export interface ManagementBroker {
  readonly readModel: ReadModel;
  readonly stats: StatsReader;
  /** RabbitMQ's node name (`warren@<host>`): the node field of every object. */
  readonly node: string;
  /** Warren's version: product_version; rabbitmq_version is the RabbitMQ version whose API this follows. */
  readonly productVersion: string;
  /** Checks a password; the user on success. */
  login(name: string, password: string): UserSnapshot | undefined;
  users(): readonly ManagementUser[];
  user(name: string): ManagementUser | undefined;
  permissions(filter?: { readonly user?: string; readonly vhost?: string }): readonly VhostPermission[];
  vhostMetadata(name: string): VhostMetadata | undefined;
  listeners(): readonly ListenerInfo[];
  /** The TLS listeners' certificate files, read now: certificate-expiration. */
  listenerCertificates(): readonly ListenerCertificates[];
  /** The resource alarms now (RabbitMQ's mem_alarm, disk_free_alarm). */
  alarms(): { readonly memory: boolean; readonly disk: boolean };
  /** The limits behind them and free disk now (RabbitMQ's node mem_limit, disk_free, disk_free_limit); diskFree undefined when unknown. */
  resources(): { readonly memLimit: number; readonly diskFree: number | undefined; readonly diskFreeLimit: number };
  /** Broker start time (epoch ms), for uptime. */
  readonly startedAt: number;
  /** Wall clock (ms): uptime and sample ages; injected so tests may fix it. */
  now(): number;
  /** Users, vhosts, permissions, limits, policies and definitions: the write side (src/http/access-ops.ts). */
  readonly access: AccessOps;
  /** Declare, delete, purge, get, bind and publish as an HTTP user (the write endpoints). */
  readonly topology: TopologyOps;
  /** Browse, unacked, redrive, explain (src/http/routes/inspect.ts). */
  readonly inspect: InspectOps;
  /** Runtime parameters beyond vhost-limits (nats-bridge); absent: vhost-limits only. */
  readonly parameters?: RuntimeParametersOps;
}
