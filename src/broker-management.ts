import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { loadTlsSync, TlsFilesError, type LoadedTls } from './amqp/tls-context.js';
import { managementTlsFiles } from './config/management-tls-options.js';
import { StartupError } from './errors/startup.js';
import type { FastifyInstance } from 'fastify';
import type { PermissionsApi } from './broker-access.js';
import type { Config } from './config/load.js';
import type { ReadModel } from './core/read-model.js';
import type { UserRecord, UserStore } from './core/security/users.js';
import type { StatsReader } from './core/stats/snapshot.js';
import type { VhostMetadata } from './core/vhost-meta.js';
import type { AccessOps } from './http/access-ops.js';
import type { InspectOps } from './http/inspect-ops.js';
import type { RuntimeParametersOps } from './http/parameters-ops.js';
import type { ListenerCertificates, ListenerInfo, ManagementBroker, ManagementUser } from './http/management-broker.js';
import type { TopologyOps } from './http/topology-ops.js';
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
  readonly alarms: { readonly memory: boolean; readonly disk: boolean; readonly memoryLimit: number; readonly diskLimit: number; freeDisk(): number | undefined };
  readonly startedAt: number;
  /** The write side: users, vhosts, permissions, limits, policies, definitions. */
  readonly access: AccessOps;
  readonly topology: TopologyOps;
  readonly inspect: InspectOps;
  readonly parameters?: RuntimeParametersOps;
}

export interface ManagementListener {
  /** The HTTP listener's port; undefined when managementPort is off and only HTTPS is served. */
  readonly port: number | undefined;
  /** The HTTPS listener's port, when managementTlsPort is set. */
  readonly tlsPort: number | undefined;
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

/** Every TLS listener with the files it serves: amqps and the management's HTTPS (RabbitMQ checks all its active listeners). */
function listenerCertificates(config: Config, listeners: readonly ListenerInfo[]): ListenerCertificates[] {
  const https = managementTlsFiles(config);
  return listeners.flatMap((l) => {
    const files = l.protocol === 'amqp/ssl' && config.tlsCert !== null ? { cert: config.tlsCert, ca: config.tlsCa } : l.protocol === 'https' ? https : undefined;
    if (files === undefined) return [];
    const { cert, ca } = files;
    return [{ ...l, certfile: cert, cacertfile: ca, certfileNotAfter: notAfter(cert), cacertfileNotAfter: ca === null ? [] : notAfter(ca) }];
  });
}

/** The HTTPS listener's certificate files, read now; a missing or unusable one is a configuration error (exit 2). */
function loadManagementTls(config: Config): LoadedTls | undefined {
  const files = managementTlsFiles(config);
  if (files === undefined) return undefined;
  const paths = { ...files, minVersion: config.tlsMinVersion, ciphers: config.tlsCiphers, honorCipherOrder: config.tlsHonorCipherOrder };
  try {
    return loadTlsSync(paths);
  } catch (err) {
    if (err instanceof TlsFilesError) throw new StartupError('config', `management HTTPS: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Starts the management API on config.managementPort (HTTP) and config.managementTlsPort (HTTPS), on every --bind address (as the AMQP
 * listener: a host without IPv6 skips ::1), or does nothing when both are off. fastify is loaded only
 * then, so an embedded broker without it never pays for it.
 */
export async function startManagement(config: Config, parts: ManagementParts, logger: Logger): Promise<ManagementListener | undefined> {
  if (config.managementPort === false && config.managementTlsPort === null) return undefined;
  const tls = loadManagementTls(config);
  const { buildApp } = await import('./http/app.js');
  const servers: { server: Server; protocol: 'http' | 'https' }[] = [];
  const httpListeners = (): ListenerInfo[] =>
    servers.flatMap(({ server, protocol }) => {
      const a = server.address();
      return typeof a === 'object' && a !== null ? [{ protocol, ipAddress: a.address, port: a.port }] : [];
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
    listenerCertificates: () => listenerCertificates(config, [...parts.amqpListeners(), ...httpListeners()]),
    alarms: () => ({ memory: parts.alarms.memory, disk: parts.alarms.disk }),
    resources: () => ({ memLimit: parts.alarms.memoryLimit, diskFree: parts.alarms.freeDisk(), diskFreeLimit: parts.alarms.diskLimit }),
    startedAt: parts.startedAt,
    access: parts.access,
    now: () => Date.now(),
    topology: parts.topology,
    inspect: parts.inspect,
    ...(parts.parameters === undefined ? {} : { parameters: parts.parameters }),
  };
  const app = buildApp(api, { logger: logger.child({ component: 'management' }, { level: 'warn' }) as never });
  await app.ready();
  const close = async (): Promise<void> => {
    await Promise.all(servers.map(({ server: s }) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
    await app.close();
  };
  /** Listens on every bind address (the first one picks the port for the rest when it is 0); the port. */
  const listenAll = async (first: number, protocol: 'http' | 'https'): Promise<number> => {
    let port = first;
    for (const [i, host] of config.bind.entries()) {
      const handler = (req: IncomingMessage, res: ServerResponse): void => app.routing(req, res);
      const server = protocol === 'https' ? createHttpsServer(tls?.context ?? {}, handler) : createServer(handler);
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
      servers.push({ server, protocol });
    }
    return port;
  };
  const port = config.managementPort === false ? undefined : await listenAll(config.managementPort, 'http');
  const tlsPort = tls === undefined || config.managementTlsPort === null ? undefined : await listenAll(config.managementTlsPort, 'https');
  logger.info({ event: 'management.listening', port, tlsPort, bind: config.bind }, `management API on ${[port === undefined ? [] : [`port ${port}`], tlsPort === undefined ? [] : [`HTTPS port ${tlsPort}`]].flat().join(', ')}`);
  return { port, tlsPort, app, close };
}
