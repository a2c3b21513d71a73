import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { resolve } from 'node:path';
import type { BrokerContext } from './amqp/broker-context.js';
import { AmqpServer } from './amqp/server.js';
import { ResourceAlarms } from './amqp/flow-control.js';
import { startAlarmChecks, wireStoreAlarms } from './broker-store-alarms.js';
import { startTls } from './broker-tls.js';
import { startManagement, type ManagementListener } from './broker-management.js';
import { managementAccess } from './broker-management-access.js';
import { brokerPublish, type BrokerPublish } from './broker-publish.js';
import { joinConfiguredCluster } from './broker-cluster.js';
import { clusterAccessTarget } from './broker-cluster-access.js';
import { managementTopology } from './broker-management-topology.js';
import { brokerVhosts } from './broker-vhosts.js';
import { brokerInspect, type InspectOps } from './broker-management-inspect.js';
import { brokerFaults, type BrokerFaults } from './broker-faults.js';
import { serverProperties } from './amqp/server-properties.js';
import { ConfigError, resolveConfig, type Config, type ConfigInput } from './config/load.js';
import type { BrokerOptions } from './broker-options.js';
import type { VirtualHost } from './core/vhost.js';
import { ReadModel } from './core/read-model.js';
import { Registry } from './core/registry.js';
import { BrokerStats } from './core/stats/broker-stats.js';
import type { StatsReader } from './core/stats/snapshot.js';
import { statsReaderOf } from './broker-stats-reader.js';
import { startPrometheus, type PrometheusListener } from './broker-prometheus.js';
import { recover } from './recovery.js';
import { VhostTable } from './core/vhost-table.js';
import { checkPermissionUsers, storedUsers, setUpAccess, type PermissionsApi, type TopicPermissionsApi } from './broker-access.js';
import { checkConfiguredPolicies, setUpPolicies, type PoliciesApi } from './broker-policies.js';
import type { VhostMetadata, VhostMetadataInput } from './core/vhost-meta.js';
import { SchemaCache } from './core/exchange/schema.js';
import { brokerSchemas, type SchemasApi } from './broker-schemas.js';
import { LoginThrottle } from './amqp/login-throttle.js';
import { brokerUsers, checkConfiguredUsers, checkVhostSettings, openUsers, type BrokerUsers } from './broker-security.js';
import { brokerUrl, listenerError, logStartup } from './broker-startup.js';
import { brokerDefinitions, type BrokerDefinitions } from './broker-definitions.js';
import { loadDefinitionsAtBoot } from './broker-load-definitions.js';
import { brokerParameters } from './broker-bridge.js';
import { claimDataDir, createPrivateDataDir, dataDirError, isDataDirProblem } from './data-dir.js';
import { createLogger } from './util/logger.js';
import { SystemClock } from './util/system-clock.js';
import { packageVersion } from './util/version.js';

export type { BrokerOptions } from './broker-options.js';

export interface Broker {
  /** An AMQP URL a client can connect to, with the default guest credentials when they exist. */
  readonly url: string;
  readonly port: number;
  /** The amqps listeners' port, when tlsPort is set (the port picked when it is 0). */
  readonly tlsPort: number | undefined;
  /** The management HTTP API's port (the one picked for 0); undefined when it is off, as it is unless managementPort is given. */
  readonly managementPort: number | undefined;
  /** The management API's fastify app (for app.inject() in tests), while it is on. */
  readonly managementApp: FastifyInstance | undefined;
  /** The Prometheus listener's port (/metrics); undefined when it is off, as it is unless prometheusPort is given. */
  readonly prometheusPort: number | undefined;
  readonly config: Config;
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  /**
   * Snapshots of connections, channels, consumers, queues and exchanges, and the operator's commands
   * (close a connection, purge, delete): what a management API or a test reads instead of live objects.
   */
  readonly readModel: ReadModel;
  /** Message counters and their rates per queue, exchange, connection and channel, and broker totals (RabbitMQ's message_stats names). */
  readonly stats: StatsReader;
  connectionCount(): number;
  /** Users' configure/write/read permissions per vhost (RabbitMQ's set_permissions and friends). */
  readonly permissions: PermissionsApi;
  /** Users' topic permissions per (vhost, exchange) (RabbitMQ's set_topic_permissions and friends). */
  readonly topicPermissions: TopicPermissionsApi;
  /** Policies (rabbitmqctl set_policy / clear_policy / list_policies), applied live to every queue and exchange of the vhost. */
  readonly policies: PoliciesApi;
  /** Operator policies (set_operator_policy): merged over the policies, the lesser value for the limits. */
  readonly operatorPolicies: PoliciesApi;
  readonly schemas: SchemasApi; // JSON Schemas by name, for x-schema exchanges (README "Schema-checked exchanges")
  /**
   * Creates a virtual host, recorded in the definitions log; resolves once that record is on disk
   * (true), or at once with false when it exists. A name connection.open cannot carry (empty, over
   * 255 bytes) is refused with a RangeError. Nobody has permissions on it until they are set
   * (broker.permissions.set), as with rabbitmqctl add_vhost.
   */
  createVhost(name: string, meta?: VhostMetadataInput): Promise<boolean>;
  /** Changes a vhost's description, tags, default queue type or limits (recorded); undefined when there is no such vhost. */
  updateVhost(name: string, meta: VhostMetadataInput): Promise<VhostMetadata | undefined>;
  /** A vhost's description, tags, default queue type and limits. */
  vhostMetadata(name: string): VhostMetadata | undefined;
  /** The users store (RabbitMQ's internal users): snapshots never carry the hash. */
  readonly users: BrokerUsers;
  /**
   * Deletes a virtual host as RabbitMQ does: its connections are closed with 320 CONNECTION_FORCED
   * "vhost '<name>' is deleted", then its queues (with their stored messages), exchanges and
   * bindings go. Resolves once the deletion is on disk (true), or with false when there is none.
   */
  deleteVhost(name: string): Promise<boolean>;
  /**
   * Exceptions that escaped a handler while serving a connection, channel, queue or exchange: each is a
   * bug, logged with its stack ('internal error'); only what it hit was ended (541 INTERNAL_ERROR).
   */
  readonly internalErrors: number;
  /** Counts a bug the embedder caught outside the broker's own guards (the CLI's process-level handlers). */
  noteInternalError(): void;
  /**
   * Reads tlsCert, tlsKey and tlsCa again and serves them to new TLS connections (open ones keep
   * theirs). Rejects, logging why and still serving the previous certificate, when the files do not
   * load, and when TLS is not configured. The CLI calls it on SIGHUP; the files are also watched.
   */
  reloadTls(): Promise<void>;
  /**
   * Publishes as RabbitMQ's management API does (`POST /api/exchanges/{vhost}/{name}/publish`, the same
   * JSON body; 'amq.default' names the default exchange): `{ routed }` once stored, or a PublishRequestError.
   */
  readonly publish: BrokerPublish;
  /** RabbitMQ's definitions export and import (GET/POST /api/definitions[/{vhost}]); loadDefinitions uses it at start. */
  readonly definitions: BrokerDefinitions;
  readonly inspect: InspectOps; // browse, unacked, redrive, explain: README "Beyond RabbitMQ"
  readonly faults: BrokerFaults; // for tests (warren/testing): block publishers, nack publishes, expire consumer timeouts
  /** Closes every connection with 320 CONNECTION_FORCED and stops listening. */
  close(): Promise<void>;
}

/** The composition root: config → vhosts → listeners. Start order here, stop order in close(). */
export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const { logger: givenLogger, processMemoryChecks = false, collectGarbage, nodeName, statisticsInterval = 5000, clock: givenClock, ...given } = options;
  // Embedded, the management API and Prometheus are off unless asked for (the CLI passes their defaults, 15672 and 15692).
  const input: ConfigInput = { ...given, managementPort: given.managementPort ?? false, prometheusPort: given.prometheusPort ?? false };
  // Embedded without a dataDir: a private directory, so two brokers in one test run never share files.
  const checked = resolveConfig(input); // a bad option fails before anything is created
  checkConfiguredUsers(checked.users);
  checkPermissionUsers(checked);
  checkVhostSettings(checked);
  checkConfiguredPolicies(checked);
  const tlsFiles = startTls.load(checked); // so do unreadable or unusable TLS files
  if (!(Number.isFinite(statisticsInterval) && statisticsInterval >= 0)) {
    throw new ConfigError(`statisticsInterval must be a number of milliseconds, 0 or more (got ${String(statisticsInterval)})`);
  }
  const privateDir = input.dataDir === undefined ? createPrivateDataDir() : undefined;
  const config = privateDir === undefined ? checked : resolveConfig({ ...checked, dataDir: privateDir.path });
  // An embedder's test output stays quiet unless it asks: warn unless logLevel is given.
  const logger = givenLogger ?? createLogger(input.logLevel ?? 'warn', undefined, config.logFormat);
  const dataDir = resolve(config.dataDir);
  let internalErrors = 0;
  const internalError = (err: unknown, where: Readonly<Record<string, unknown>>): void => {
    internalErrors++;
    logger.error({ event: 'internal.error', err, ...where }, 'internal error');
  };
  const cluster = await joinConfiguredCluster(checked, logger); // before the data dir is touched: a failed join leaves it as it was
  const systemClock = givenClock === undefined ? new SystemClock((err) => internalError(err, { during: 'timer' })) : undefined;
  const brokerClock = givenClock ?? (systemClock as SystemClock);
  let lock;
  try {
    // First, before any file in it is read: a second broker on this directory stops here.
    lock = claimDataDir(dataDir, logger);
  } catch (err) {
    await cluster?.close();
    privateDir?.remove();
    throw err;
  }
  const schemas = new SchemaCache(); // compiled x-schema exchanges, shared by every vhost
  let recovered;
  try {
    recovered = await recover(dataDir, config.vhosts, { fsync: config.fsync, forceRecovery: config.forceRecovery, clock: brokerClock, schemas }, logger);
  } catch (err) {
    await cluster?.close();
    lock.release();
    privateDir?.remove();
    throw isDataDirProblem(err) ? dataDirError(dataDir, err) : err;
  }
  const { vhosts, persistence, definitions, security } = recovered;
  const { store: users, seeded: firstStart } = openUsers(security.users, security.usersSeeded, config, [...vhosts.keys()], persistence, logger);
  let access, policies;
  try {
    access = setUpAccess(config, recovered.access, persistence, vhosts, storedUsers(users));
    policies = setUpPolicies(config, recovered.policies, firstStart !== undefined, persistence, vhosts, logger); // before listening
  } catch (err) {
    await Promise.all([persistence.scheduler.idle(), cluster?.close()]);
    persistence.closeAll();
    definitions.close();
    lock.release();
    privateDir?.remove();
    throw err;
  }
  const parameters = brokerParameters(recovered.parameters, { vhosts, persistence, config, logger }); // nats-bridge: NATS loaded only if one is recorded
  const releaseStore = (): void => {
    void cluster?.close();
    void parameters.close();
    systemClock?.stop();
    persistence.closeAll();
    definitions.close();
    lock.release();
    privateDir?.remove();
  };

  let clock = Date.now();
  const watermark = config.memoryHighWatermark;
  const limits = {
    // AlarmLimits reads up to 1 as a fraction and above as bytes; an absolute watermark is at least 1 MiB.
    memoryHighWatermark: 'relative' in watermark ? watermark.relative : watermark.absolute,
    diskFreeLimit: config.diskFreeLimit,
  };
  const prepareVhost = (vhost: VirtualHost): void => void ((vhost.onFault = internalError), (vhost.schemas = schemas));
  for (const vhost of vhosts.values()) prepareVhost(vhost);
  const vhostTable = new VhostTable(vhosts, brokerClock, persistence, prepareVhost, security.vhostMeta);
  // Like the users and the vhosts themselves: the configured settings seed a new data directory only.
  if (firstStart !== undefined) for (const settings of config.vhostSettings) vhostTable.update(settings.name, settings);
  const node = nodeName ?? `warren@${cluster?.node ?? hostname()}`;
  const { policies: userPolicies, operatorPolicies } = policies;
  const schemaApi = brokerSchemas({ vhosts, cache: schemas, persistence, logger });
  const definitionsApi = brokerDefinitions({ vhosts, vhostTable, users, permissions: access.access.store, policies: userPolicies, operatorPolicies, schemas: schemaApi, parameters, persistence, node, productVersion: packageVersion(), logger });
  if (config.loadDefinitions !== null) {
    await loadDefinitionsAtBoot(definitionsApi, config.loadDefinitions, logger).catch(async (err: unknown) => {
      await persistence.scheduler.idle();
      releaseStore();
      throw err;
    });
  }
  let self: Broker | undefined; // read per request by the management API, and by the cluster's remote deletions
  const clusterAccess = { table: vhostTable, users, permissions: access.access.store, policies, live: () => self, vhostGone: (n: string) => schemas.registry.dropVhost(n), logger };
  const replication = await cluster?.attach(vhosts, persistence, clusterAccessTarget(clusterAccess)).catch(async (err: unknown) => {
    await persistence.scheduler.idle();
    releaseStore();
    throw err;
  });
  const heldBytes = (): number => {
    let n = server.bufferedBytes();
    for (const vhost of vhosts.values()) n += vhost.heldBytes.bytes;
    return n;
  };
  const alarms = new ResourceAlarms(limits, dataDir, logger, { heldBytes, processChecks: processMemoryChecks, collectGarbage }, (active) =>
    server.setAlarm(active, alarms.reason),
  );
  const registry = new Registry(node);
  const stats = new BrokerStats(vhosts);
  const ctx: BrokerContext = {
    config,
    logger,
    vhosts,
    access: access.access,
    registry,
    serverProperties: serverProperties('warren', packageVersion()),
    stats,
    now: () => clock,
    clock: brokerClock,
    internalError,
    alarms,
    faults: { nackNext: 0 },
    replication,
    users,
    loginThrottle: new LoginThrottle(config.loginFailureDelay),
    vhostLimits: (name) => vhostTable.meta(name)?.limits,
    counts: { connectionsOn: (v) => server.counts.connectionsOn(v), connectionsOf: (u) => server.counts.connectionsOf(u), channelsOf: (u) => server.counts.channelsOf(u) },
  };
  const server = new AmqpServer(ctx, () => {
    clock = Date.now();
    try {
      stats.tick(clock, statisticsInterval);
    } catch (err) {
      internalError(err, { during: 'statistics sample' });
    }
  });
  const statsReader = statsReaderOf(stats);
  wireStoreAlarms(persistence, alarms, logger);
  const alarmTimer = startAlarmChecks(alarms, internalError);
  let port: number;
  const tls = startTls.endpoint(config, tlsFiles, logger);
  try {
    port = await server.listen(config.port, config.bind);
  } catch (err) {
    clearInterval(alarmTimer);
    await persistence.scheduler.idle();
    releaseStore();
    throw listenerError(err, config.port);
  }
  let tlsPort: number | undefined;
  try {
    tlsPort = await startTls.listen(server, config, tls);
  } catch (err) {
    clearInterval(alarmTimer);
    await server.close();
    await persistence.scheduler.idle();
    releaseStore();
    throw listenerError(err, config.tlsPort ?? 0);
  }
  const readModel = new ReadModel(registry, vhosts, statsReader);
  const inspect = brokerInspect({ vhosts, registry, access: access.access });
  let management: ManagementListener | undefined, prometheus: PrometheusListener | undefined;
  try {
    management = await startManagement(
      config,
      {
        readModel,
        stats: statsReader,
        node: registry.node,
        productVersion: packageVersion(),
        users,
        permissions: access.permissions,
        vhostMetadata: (name) => vhostTable.meta(name),
        amqpListeners: () => [
          ...server.addresses.map((a) => ({ protocol: 'amqp' as const, ipAddress: a.address, port: a.port })),
          ...server.tlsAddresses.map((a) => ({ protocol: 'amqp/ssl' as const, ipAddress: a.address, port: a.port })),
        ],
        alarms,
        access: managementAccess(() => self as Broker, users),
        startedAt: Date.now(),
        topology: managementTopology(vhosts, access.access, brokerPublish(vhosts, config, access.access)),
        inspect,
        parameters,
      },
      logger,
    );
    prometheus = await startPrometheus(config, { readModel, stats, statsReader, node: registry.node, alarms, dataDir, scheduler: persistence.scheduler }, logger);
  } catch (err) {
    await management?.close();
    clearInterval(alarmTimer);
    tls?.close();
    await server.close();
    await persistence.scheduler.idle();
    releaseStore();
    throw listenerError(err, (management === undefined ? config.managementPort : config.prometheusPort) || 0);
  }
  const url = brokerUrl(config, port);
  logStartup(logger, config, { url, port, vhosts: [...vhosts.keys()], addresses: server.addresses, tlsAddresses: server.tlsAddresses, certificate: tls?.certificate });

  let closing: Promise<void> | undefined;
  return (self = {
    url,
    port,
    tlsPort,
    managementPort: management?.port,
    managementApp: management?.app,
    prometheusPort: prometheus?.port,
    config,
    vhosts,
    readModel,
    stats: statsReader,
    connectionCount: () => server.connectionCount,
    permissions: access.permissions,
    topicPermissions: access.topicPermissions,
    policies: policies.policies,
    operatorPolicies: policies.operatorPolicies,
    schemas: schemaApi,
    users: brokerUsers(users, () => vhostTable.whenSynced(), (user, reason) => server.closeUserConnections(user, reason), (user) => access.access.store.userDeleted(user), logger),
    ...brokerVhosts({
      table: vhostTable,
      logger,
      closeConnections: (name, reason) => server.closeVhostConnections(name, reason),
      detached: (vhost) => stats.vhostDetached(vhost),
      destroyed: (vhost) => stats.vhostDestroyed(vhost),
      permissionsDeleted: (name) => (access.access.store.vhostDeleted(name), schemas.registry.dropVhost(name)),
    }),
    get internalErrors() {
      return internalErrors;
    },
    noteInternalError: () => {
      internalErrors++;
    },
    publish: brokerPublish(vhosts, config, access.access),
    definitions: definitionsApi,
    inspect,
    faults: brokerFaults(ctx.faults, alarms, server),
    reloadTls: () => (tls === undefined ? Promise.reject(new Error('TLS is not configured: tlsPort is not set')) : tls.reload('api')),
    close: () => {
      clearInterval(alarmTimer);
      alarms.close();
      tls?.close();
      closing ??= Promise.all([management?.close(), prometheus?.close(), parameters.close()])
        .then(() => server.close())
        .then(() => persistence.scheduler.idle())
        .then(() => {
          releaseStore();
          logger.info({ event: 'broker.stopped' }, 'stopped');
        });
      return closing;
    },
  });
}
