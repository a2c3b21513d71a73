import { parseList, parseString, ParseError } from './parsers.js';

/**
 * Issue 15: joining Warren nodes through nats-server with JetStream. Declared here so that the CLI, env and
 * file accept them; with an empty clusterNats nothing of NATS is loaded (src/cluster/ is imported dynamically).
 * src/broker-cluster.ts joins (or refuses to start with a clear error) before the data directory is touched.
 */
export interface ClusterConfig {
  /** nats:// or tls:// URLs of nats-servers with JetStream; empty: a single node, no NATS. */
  readonly clusterNats: readonly string[];
  /** This node's name in the cluster; '' derives it from the host name. */
  readonly clusterNodeName: string;
}

function parseNatsUrls(text: string): readonly string[] {
  const urls = parseList(text);
  for (const url of urls) {
    if (!/^(nats|tls):\/\/[^/\s]+$/.test(url)) throw new ParseError(`expected nats://host:port, got ${JSON.stringify(url)}`);
  }
  return urls;
}

export const CLUSTER_OPTIONS = [
  {
    key: 'clusterNats',
    schema: { type: 'array', items: { type: 'string', pattern: '^(nats|tls)://[^/\\s]+$' } },
    default: [] as readonly string[],
    env: 'WARREN_CLUSTER_NATS',
    flag: '--cluster-nats',
    arg: 'URL[,URL...]',
    description:
      'Join a cluster of Warren nodes through nats-server with JetStream (nats://host:4222, comma-separated). ' +
      'Exchanges, queues (with their owner node), bindings, vhosts, users, permissions and policies are replicated in a JetStream KV bucket, and publishes are forwarded to the node that owns a queue (see Cluster). Without it nothing of NATS is loaded.',
    parse: parseNatsUrls,
  },
  {
    key: 'clusterNodeName',
    schema: { type: 'string', pattern: '^[A-Za-z0-9._-]*$', maxLength: 255 },
    default: '',
    env: 'WARREN_CLUSTER_NODE_NAME',
    flag: '--node-name',
    arg: 'NAME',
    description: "This node's name in a --cluster-nats cluster (letters, digits, . _ -); empty: from the host name.",
    parse: parseString,
  },
] as const;
