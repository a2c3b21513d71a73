import { hostname } from 'node:os';
import type { Config } from './config/load.js';
import type { DefinitionsTarget, ReplicationWaits } from './core/replication.js';
import type { VirtualHost } from './core/vhost.js';
import { StartupError } from './errors/index.js';
import type { Persistence } from './persistence.js';
import type { Logger } from './util/logger.js';

/** A node joined to a cluster (src/cluster/), as the composition root sees it. */
export interface BrokerCluster {
  /** This node's name in the cluster (--node-name, or the host name). */
  readonly node: string;
  /** Loads the cluster's topology into the vhosts and replicates local changes from now on. */
  attach(vhosts: ReadonlyMap<string, VirtualHost>, persistence: Persistence, target: DefinitionsTarget): Promise<ReplicationWaits>;
  close(): Promise<void>;
}

/**
 * Issue 15's wiring point. Without --cluster-nats nothing of NATS is loaded: src/cluster/ (and with
 * it @nats-io/*) is imported here, dynamically, only when the option is given. Called before the
 * data directory is claimed or read, so a node that cannot join leaves it untouched.
 */
export async function joinConfiguredCluster(config: Config, logger: Logger): Promise<BrokerCluster | undefined> {
  if (config.clusterNats.length === 0) return undefined;
  const { joinCluster, JoinError } = await import('./cluster/join.js');
  const node = config.clusterNodeName === '' ? hostname() : config.clusterNodeName;
  let member;
  try {
    member = await joinCluster({ urls: config.clusterNats, node, logger, quorum: { replicas: config.clusterQuorumReplicas, ackWaitMs: config.clusterQuorumAckWait } });
  } catch (err) {
    throw err instanceof JoinError ? new StartupError('cluster', err.message, { cause: err.cause }) : err;
  }
  return {
    node,
    attach: (vhosts, persistence, target) =>
      member.attach(vhosts, target, (topology, definitions) => {
        persistence.replicator = topology;
        persistence.definitionsReplicator = definitions;
      }),
    close: () => member.close(),
  };
}
