import type { ReadModel } from '../../core/read-model.js';
import type { PublishGlobals } from '../../core/stats/publish-globals.js';
import type { StatsReader } from '../../core/stats/snapshot.js';
import type { BucketHistogram } from '../../util/bucket-histogram.js';

/** The node-level figures of RabbitMQ's node_metrics and node_coarse_metrics, read at each scrape. */
export interface NodeFigures {
  readonly residentMemoryBytes: number;
  /** The memory alarm's limit in bytes (RabbitMQ's vm_memory_high_watermark, resolved). */
  readonly memoryLimitBytes: number;
  /** Free bytes on the data directory's filesystem; undefined when statfs fails. */
  readonly diskFreeBytes: number | undefined;
  readonly diskFreeLimitBytes: number;
  /** Open file descriptors; undefined where /proc/self/fd cannot be read. */
  readonly openFds: number | undefined;
  /** RLIMIT_NOFILE's soft limit; undefined where /proc/self/limits cannot be read. */
  readonly maxFds: number | undefined;
  readonly memoryAlarm: boolean;
  readonly diskAlarm: boolean;
}

/**
 * What the Prometheus endpoint needs of a broker, and nothing more. The composition root
 * (src/broker-prometheus.ts) builds it, so src/http never imports the broker itself.
 */
export interface PrometheusBroker {
  readonly readModel: ReadModel;
  readonly stats: StatsReader;
  /** Message sizes and confirm-mode publishes (core/stats/publish-globals.ts). */
  readonly globals: PublishGlobals;
  /** Seconds per fdatasync of one file (store/sync-scheduler.ts). */
  readonly fsyncLatency: BucketHistogram;
  /** rabbitmq_node; also rabbitmq_cluster, as /api/overview's cluster_name. */
  readonly node: string;
  /** rabbitmq_cluster_permanent_id: stable for a node name. */
  readonly clusterPermanentId: string;
  /** Warren's version (product_version); rabbitmq_version is the RabbitMQ version whose API Warren follows. */
  readonly productVersion: string;
  readonly rabbitmqVersion: string;
  nodeFigures(): NodeFigures;
  /** Broker start (epoch ms) and the wall clock: rabbitmq_erlang_uptime_seconds. */
  readonly startedAt: number;
  now(): number;
}
