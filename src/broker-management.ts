import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { PermissionsApi } from './broker-access.js';
import type { Config } from './config/load.js';
import type { ReadModel } from './core/read-model.js';
import type { UserRecord, UserStore } from './core/security/users.js';
import type { StatsReader } from './core/stats/snapshot.js';
import type { VhostMetadata } from './core/vhost-meta.js';
import type { InspectOps } from './http/inspect-ops.js';
import type { ListenerCertificates, ListenerInfo, ManagementBroker, ManagementUser } from './http/management-broker.js';
import type { Logger } from './util/logger.js';

/** The broker's parts the management API reads, wired by startBroker. */
export interface ManagementParts {
  readonly readModel: ReadModel;
  readonly stats: StatsReader;
  readonly node: string;
  readonly productVersion: string;
  readonly users: UserStore;
  readonly permissions: Pick<PermissionsApi, 'list'>;
  readonly vhostMetadata: (name: string) => VhostMetadata | undefined;
  /** The AMQP listeners ('amqp' and 'amqp/ssl'); the HTTP ones are added here. */
  readonly amqpListeners: () => readonly ListenerInfo[];
  readonly alarms: { readonly memory: boolean; readonly disk: boolean };
  readonly startedAt: number;
  readonly inspect: InspectOps;
}

export interface ManagementListener {
  readonly port: number;
  /** The fastify app itself: tests call app.inject() on it. */
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

function managementUser(r: UserRecord): ManagementUser {
  return { name: r.name, tags: r.tags, passwordless: r.passwordHash === '', hashingAlgorithm: r.hashingAlgorithm, loopbackOnly: r.loopbackOnly, limits: r.limits, passwordHash: r.passwordHash };
}

/** notAfter of every certificate in a PEM file, or why it has none (RabbitMQ's texts where it has them). */
function notAfter(path: string): readonly number[] | string {
  let pem: string;
  try {
    pem = readFileSync(path, 'latin1');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unreadable';
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return 'The certificate file provided does not contain any PEM entry.';
  return blocks.map((b) => Date.parse(new X509Certificate(b).validTo));
}

function listenerCertificates(config: Config, listeners: readonly ListenerInfo[]): ListenerCertificates[] {
  const cert = config.tlsCert;
  if (cert === null) return [];
  const ca = config.tlsCa;
  return listeners
    .filter((l) => l.protocol === 'amqp/ssl')
    .map((l) => ({ ...l, certfile: cert, cacertfile: ca, certfileNotAfter: notAfter(cert), cacertfileNotAfter: ca === null ? [] : notAfter(ca) }));
}

/**
 * Starts the management API on config.managementPort, on every --bind address (as the AMQP
 * listener: a host without IPv6 skips ::1), or does nothing when it is off. fastify is loaded only
 * then, so an embedded broker without it never pays for it.
 */
export async function startManagement(config: Config, parts: ManagementParts, logger: Logger): Promise<ManagementListener | undefined> {
  if (config.managementPort === false) return undefined;
  const { buildApp } = await import('./http/app.js');
  const servers: Server[] = [];
  const httpListeners = (): ListenerInfo[] =>
    servers.flatMap((s) => {
      const a = s.address();
      return typeof a === 'object' && a !== null ? [{ protocol: 'http' as const, ipAddress: a.address, port: a.port }] : [];
    });
  const api: ManagementBroker = {
    readModel: parts.readModel,
    stats: parts.stats,
    node: parts.node,
    productVersion: parts.productVersion,
    login: (name, password) => {
      const result = parts.users.login(name, password);
      return result.ok ? parts.users.get(result.user.name) : undefined;
    },
    users: () => parts.users.list().flatMap((u) => {
      const r = parts.users.record(u.name);
      return r === undefined ? [] : [managementUser(r)];
    }),
    user: (name) => {
      const r = parts.users.record(name);
      return r === undefined ? undefined : managementUser(r);
    },
    permissions: (filter) => parts.permissions.list(filter),
    vhostMetadata: parts.vhostMetadata,
    listeners: () => [...parts.amqpListeners(), ...httpListeners()],
    listenerCertificates: () => listenerCertificates(config, parts.amqpListeners()),
    alarms: () => ({ memory: parts.alarms.memory, disk: parts.alarms.disk }),
    startedAt: parts.startedAt,
    now: () => Date.now(),
    inspect: parts.inspect,
  };
  const app = buildApp(api, { logger: logger.child({ component: 'management' }, { level: 'warn' }) as never });
  await app.ready();
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
    await app.close();
  };
  let port = config.managementPort;
  for (const [i, host] of config.bind.entries()) {
    const server = createServer((req, res) => app.routing(req, res));
    try {
      port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a = server.address();
          resolve(typeof a === 'object' && a !== null ? a.port : port);
        });
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (i > 0 && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
        logger.warn({ host, code }, `management API: cannot listen on ${host}, skipping it`);
        continue;
      }
      await close();
      throw err;
    }
    servers.push(server);
  }
  logger.info({ event: 'management.listening', port, bind: config.bind }, `management API on port ${port}`);
  return { port, app, close };
}
