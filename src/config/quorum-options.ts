import { parseInteger } from './parsers.js';

/**
 * Issue 15, replicated queues: `x-queue-type: quorum` in a --cluster-nats cluster lives on a JetStream
 * stream (one per vhost, a filtered durable consumer per queue; src/cluster/quorum/). These options
 * say how many copies JetStream keeps and how long a delivery may go unanswered before JetStream gives
 * it to another node. Without --cluster-nats they do nothing.
 */
export interface QuorumConfig {
  /** Replicas of each vhost's quorum stream; fewer when the NATS cluster has fewer JetStream servers. */
  readonly clusterQuorumReplicas: number;
  /** JetStream's AckWait for quorum consumers, in ms: the failover time of what a lost node held. */
  readonly clusterQuorumAckWait: number;
}

export const QUORUM_OPTIONS = [
  {
    key: 'clusterQuorumReplicas',
    schema: { type: 'integer', minimum: 1, maximum: 5 },
    default: 3,
    env: 'WARREN_CLUSTER_QUORUM_REPLICAS',
    flag: '--cluster-quorum-replicas',
    arg: 'N',
    description:
      'With --cluster-nats: how many JetStream servers keep a copy of the quorum queues (x-queue-type: quorum) of a vhost (its stream\'s replicas, 1-5). ' +
      'Fewer when the NATS cluster has fewer JetStream servers; a confirm waits for a majority of them (see Cluster, replicated queues).',
    parse: parseInteger,
  },
  {
    key: 'clusterQuorumAckWait',
    schema: { type: 'integer', minimum: 1000, maximum: 3_600_000 },
    default: 10_000,
    env: 'WARREN_CLUSTER_QUORUM_ACK_WAIT',
    flag: '--cluster-quorum-ack-wait',
    arg: 'MS',
    description:
      'With --cluster-nats: JetStream\'s AckWait for quorum queue consumers, in ms. Deliveries held by a node that died (kill -9, network loss) ' +
      'go to consumers on other nodes, flagged redelivered, after this long; a live node keeps its unacknowledged deliveries alive (+WPI).',
    parse: parseInteger,
  },
] as const;
