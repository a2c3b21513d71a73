import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import type { ResourceAlarms } from './amqp/flow-control.js';
import type { Config } from './config/load.js';
import type { ReadModel } from './core/read-model.js';
import type { BrokerStats } from './core/stats/broker-stats.js';
import type { StatsReader } from './core/stats/snapshot.js';
import type { NodeFigures, PrometheusBroker } from './http/prometheus/prometheus-broker.js';
import type { SyncScheduler } from './store/sync-scheduler.js';
import type { Logger } from './util/logger.js';
import { packageVersion } from './util/version.js';

/** The broker's parts the Prometheus endpoint reads, wired by startBroker. */
export interface PrometheusParts {
  readonly readModel: ReadModel;
  readonly stats: BrokerStats;
  readonly statsReader: StatsReader;
  readonly node: string;
  readonly alarms: ResourceAlarms;
  readonly dataDir: string;
  readonly scheduler: SyncScheduler;
}

export interface PrometheusListener {
  readonly port: number;
  close(): Promise<void>;
}

/** Node figures are read at most this often: one scrape reads them in three places. */
const FIGURES_TTL_MS = 500;

/** RLIMIT_NOFILE's soft limit from /proc/self/limits (Linux); undefined elsewhere. */
function maxFds(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1; // less the one the listing itself opened
  } catch {
    return undefined;
  }
}

function diskFree(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** RabbitMQ keeps a random id in its metadata store; Warren derives one from the node name, stable while the name is. */
export function clusterPermanentId(node: string): string {
  return `rabbitmq-cluster-id-${createHash('sha256').update(node).digest('base64url').slice(0, 22)}`;
}

/**
 * Starts the Prometheus listener on config.prometheusHost:prometheusPort, or does nothing when the port is
 * off. src/http/prometheus is loaded only then.
 */
export async function startPrometheus(config: Config, parts: PrometheusParts, logger: Logger): Promise<PrometheusListener | undefined> {
  const listenPort = config.prometheusPort;
  if (listenPort === false) return undefined;
  const [{ createMetricsServer }, { RABBITMQ_API_VERSION }] = await Promise.all([import('./http/prometheus/metrics-server.js'), import('./http/routes/overview.js')]);
  const fdLimit = maxFds();
  let figures: NodeFigures | undefined;
  let figuresAt = 0;
  const api: PrometheusBroker = {
    readModel: parts.readModel,
    stats: parts.statsReader,
    globals: parts.stats.globals,
    fsyncLatency: parts.scheduler.syncLatency,
    node: parts.node,
    clusterPermanentId: clusterPermanentId(parts.node),
    productVersion: packageVersion(),
    rabbitmqVersion: RABBITMQ_API_VERSION,
    startedAt: Date.now(),
    now: () => Date.now(),
    nodeFigures: () => {
      const now = Date.now();
      if (figures !== undefined && now - figuresAt < FIGURES_TTL_MS) return figures;
      figuresAt = now;
      return (figures = {
        residentMemoryBytes: process.memoryUsage.rss(),
        memoryLimitBytes: parts.alarms.memoryLimit,
        diskFreeBytes: diskFree(parts.dataDir),
        diskFreeLimitBytes: config.diskFreeLimit,
        openFds: openFds(),
        maxFds: fdLimit,
        memoryAlarm: parts.alarms.memory,
        diskAlarm: parts.alarms.disk,
      });
    },
  };
  const metrics = createMetricsServer(
    api,
    (err) => logger.error({ event: 'prometheus.scrape-failed', err }, 'Prometheus scrape failed'),
    (path) => logger.debug({ event: 'prometheus.scrape-abandoned', path }, `Prometheus scrape of ${path} stopped: the client closed the connection`),
  );
  const port = await new Promise<number>((resolve, reject) => {
    metrics.server.once('error', reject);
    metrics.server.listen(listenPort, config.prometheusHost, () => {
      metrics.server.off('error', reject);
      const a = metrics.server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : 0);
    });
  }).catch(async (err: unknown) => {
    await metrics.close();
    throw err;
  });
  logger.info({ event: 'prometheus.listening', host: config.prometheusHost, port }, `Prometheus metrics on http://${config.prometheusHost.includes(':') ? `[${config.prometheusHost}]` : config.prometheusHost}:${port}/metrics`);
  return { port, close: () => metrics.close() };
}
