import { ConfigError, type Config } from './config/load.js';

/**
 * Issue 15's wiring point. Until the NATS layer (src/cluster/, loaded by dynamic import only when
 * --cluster-nats is given) is built, a configured cluster is refused before anything is created, so a
 * node never runs alone while its operator believes it joined a cluster.
 */
export function checkClusterConfig(config: Config): void {
  if (config.clusterNats.length === 0) return;
  throw new ConfigError(
    `--cluster-nats (${config.clusterNats.join(',')}): clustering through NATS JetStream is not built yet (issue 15); ` +
      'start without --cluster-nats for a single node',
  );
}
