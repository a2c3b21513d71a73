import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { VirtualHost } from '../core/vhost.js';
import type { DefinitionsReplicator, DefinitionsTarget, ReplicationWaits, TopologyReplicator } from '../core/replication.js';
import type { Logger } from '../util/logger.js';
import { nodePingSubject } from './keys.js';
import { AccessMetadata } from './access-metadata.js';
import { ClusterMetadata } from './metadata.js';
import { MetadataWatch } from './metadata-watch.js';
import { Forwarding } from './forward.js';
import { QuorumQueues } from './quorum/quorum-queues.js';
import { QuorumReplicator } from './quorum/quorum-replicator.js';
import type { QuorumStoreOptions } from './quorum/quorum-store.js';

/** The JetStream KV bucket every node of a cluster shares for its metadata: topology, vhosts, users, permissions, policies. */
export const METADATA_BUCKET = 'warren_metadata';

export interface JoinOptions {
  readonly urls: readonly string[];
  readonly node: string;
  readonly logger: Logger;
  /** How long to wait for a nats-server to answer (connect, JetStream info, the bucket); default 5000 ms. */
  readonly timeoutMs?: number;
  /** Quorum queues on JetStream (replicas, AckWait); default replicas 3, AckWait 10 s. */
  readonly quorum?: QuorumStoreOptions;
}

/** Why a node could not join; the broker maps it to a start-up error (exit code 6). */
export class JoinError extends Error {
  override readonly name = 'JoinError';
}

/** A joined node: connected, checked, its name claimed and the metadata bucket open. */
export class ClusterMember {
  private watch: MetadataWatch | undefined;
  private forwarding: Forwarding | undefined;
  private quorum: QuorumQueues | undefined;

  constructor(
    readonly node: string,
    private readonly nc: NatsConnection,
    private readonly kv: KV,
    private readonly logger: Logger,
    readonly replicas: number,
    private readonly quorumOptions: QuorumStoreOptions = { replicas: 3, ackWaitMs: 10_000 },
  ) {}

  /** Loads the cluster's topology into the local vhosts and starts replicating; resolves once loaded. */
  async attach(
    vhosts: ReadonlyMap<string, VirtualHost>,
    target: DefinitionsTarget,
    install: (topology: TopologyReplicator, definitions: DefinitionsReplicator) => void,
  ): Promise<ReplicationWaits> {
    const watch = new MetadataWatch(this.kv, this.logger);
    this.watch = watch;
    const access = new AccessMetadata(this.kv, this.node, target, this.logger);
    const metadata = new ClusterMetadata(this.kv, this.node, vhosts, this.logger, watch, (vhost) => access.afterVhost(vhost));
    const quorum = new QuorumQueues(this.nc, this.quorumOptions, this.logger);
    this.quorum = quorum;
    const replicator = new QuorumReplicator(metadata, quorum);
    install(replicator, access); // before the load: what it applies is not written back, what is declared meanwhile is
    const forwarding = new Forwarding(this.nc, this.node, vhosts, this.logger, quorum);
    this.forwarding = forwarding;
    await forwarding.start(); // before the load: a stub that lands is routed to at once
    metadata.onVhost = (vhost) => forwarding.install(vhost);
    // Definitions first (a vhost before what lives in it), at the load and at the join.
    await watch.start({
      load: (initial) => {
        access.load(initial);
        metadata.load(initial);
      },
      change: (e) => {
        if (!access.change(e)) metadata.change(e);
      },
      joined: async () => {
        await Promise.all([access.joined(), metadata.joined()]);
      },
    });
    return replicator;
  }

  async close(): Promise<void> {
    this.watch?.stop();
    this.forwarding?.close();
    this.quorum?.close();
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * Connects to the nats-servers (bounded wait), checks they run JetStream, refuses a name a live node
 * answers to, and opens (or creates) the metadata bucket with replicas = min(3, JetStream servers).
 * Nothing is written to the data directory here: a failure leaves the node as it was.
 */
export async function joinCluster(options: JoinOptions): Promise<ClusterMember> {
  const { urls, node, logger } = options;
  const timeout = options.timeoutMs ?? 5000;
  const where = urls.join(',');
  let nc: NatsConnection;
  try {
    nc = await withTimeout(
      connect({ servers: [...urls], name: `warren ${node}`, timeout, maxReconnectAttempts: -1, reconnectTimeWait: 500 }),
      timeout,
      `no answer within ${timeout} ms`,
    );
  } catch (err) {
    throw new JoinError(`--cluster-nats: cannot reach a nats-server at ${where}: ${(err as Error).message}`, { cause: err });
  }
  try {
    try {
      const jsm = await withTimeout(jetstreamManager(nc, { timeout }), timeout, 'no JetStream answer');
      await withTimeout(jsm.getAccountInfo(), timeout, 'no JetStream answer');
    } catch (err) {
      throw new JoinError(
        `--cluster-nats: the nats-server at ${where} has no JetStream (${(err as Error).message}): start nats-server with -js (and -sd DIR for its store)`,
        { cause: err },
      );
    }
    await claimName(nc, node, where);
    const { kv, replicas } = await openBucket(nc, timeout);
    logger.info({ event: 'cluster.joined', node, nats: where, replicas }, `joined the cluster as '${node}' through ${where} (metadata replicas ${replicas})`);
    return new ClusterMember(node, nc, kv, logger, replicas, options.quorum);
  } catch (err) {
    await nc.close().catch(() => undefined);
    if (err instanceof JoinError) throw err;
    throw new JoinError(`--cluster-nats: cannot join through ${where}: ${(err as Error).message}`, { cause: err });
  }
}

/** A live node answers its ping subject: a second one of that name is refused; a dead one's name is free. */
async function claimName(nc: NatsConnection, node: string, where: string): Promise<void> {
  const subject = nodePingSubject(node);
  let answered = false;
  try {
    await nc.request(subject, '', { timeout: 1000 });
    answered = true;
  } catch {
    // no responders (or no answer in time): the name is free
  }
  if (answered) throw new JoinError(`--node-name ${node}: a live node of that name is already in the cluster at ${where}; pick another name`);
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      msg.respond(JSON.stringify({ node }));
    },
  });
  await nc.flush();
}

/** Replicas 3, or fewer when the NATS cluster has fewer JetStream servers (the server says so). */
async function openBucket(nc: NatsConnection, timeout: number): Promise<{ kv: KV; replicas: number }> {
  const kvm = new Kvm(nc);
  let last: unknown;
  for (const replicas of [3, 2, 1]) {
    try {
      const kv = await withTimeout(kvm.create(METADATA_BUCKET, { replicas, history: 1 }), timeout * 2, 'no answer creating the metadata bucket');
      const status = await kv.status();
      return { kv, replicas: status.replicas };
    } catch (err) {
      last = err;
      if (!/replicas|insufficient resources|peer|non-clustered/i.test((err as Error).message)) break;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timedOut]).finally(() => clearTimeout(timer));
}
