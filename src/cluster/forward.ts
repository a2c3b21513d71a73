import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Message } from '../core/message.js';
import type { SyncTicket } from '../core/persistence.js';
import type { Queue } from '../core/queue/queue.js';
import type { RemoteForwarder } from '../core/replication.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Logger } from '../util/logger.js';
import { encodeBatch, recordSize, type ForwardRecord } from './forward-codec.js';
import { nodeForwardSubject, nodePingSubject } from './keys.js';
import { storeForwarded } from './forward-inbound.js';
import { RemoteConsuming } from './remote-consume.js';
import type { QuorumQueues } from './quorum/quorum-queues.js';

/** A batch goes out at the end of the event-loop turn, or sooner once it holds this much. */
const BATCH_BYTES = 256 * 1024;
/** Bytes forwarded to one node and not yet answered: past this, more is refused (nacked), not buffered. */
const MAX_IN_FLIGHT_BYTES = 64 * 1024 * 1024;
/** How long an owner may take to store a batch (fsync included) before its messages are nacked. */
const REPLY_TIMEOUT_MS = 10_000;
/** How often an owner that stopped answering is pinged, to take it back once it answers. */
const PROBE_MS = 1000;
const MAX_QUEUES_PER_RECORD = 65_535;

interface Outgoing extends ForwardRecord {
  readonly message: Message;
  readonly ticket: SyncTicket | undefined;
}

/** What one owner node has waiting to go out, and in flight. */
class Link {
  records: Outgoing[] = [];
  bytes = 0;
  inFlight = 0;
  scheduled = false;
  down = false;
  probe: NodeJS.Timeout | undefined;
}

/**
 * Forwarding between nodes over core NATS (request/reply): a publish routed on this node to queues
 * another node owns goes to that node as a batched request on its forward subject; the owner stores
 * each message in its queues (persistent ones on durable queues through the usual disk write) and
 * answers once they are on disk, so the publisher's confirm keeps its local meaning. An owner that
 * does not answer (no responders: the node is down; or a timeout) nacks what was in flight and is
 * marked unreachable: what is routed to it meanwhile is not routed (returned when mandatory, nacked)
 * until it answers a ping again. In-flight bytes per owner are bounded; past them messages are nacked.
 */
export class Forwarding {
  private readonly links = new Map<string, Link>();
  private inbound: Subscription | undefined;
  private closed = false;
  private readonly consuming: RemoteConsuming;

  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
    private readonly vhosts: ReadonlyMap<string, VirtualHost>,
    private readonly logger: Logger,
    private readonly quorum?: QuorumQueues,
  ) {
    this.consuming = new RemoteConsuming(nc, node, vhosts, logger);
  }

  /** Serves this node's forward subject and gives every vhost's router a forwarder. */
  async start(): Promise<void> {
    this.inbound = this.nc.subscribe(nodeForwardSubject(this.node), {
      callback: (err, msg) => {
        if (err === null) storeForwarded(msg, this.vhosts, this.logger);
      },
    });
    await this.consuming.start();
    await this.nc.flush();
    for (const vhost of this.vhosts.values()) this.install(vhost);
  }

  /** Idempotent: a vhost created later gets its forwarder when the first stub lands in it. */
  install(vhost: VirtualHost): void {
    if (vhost.router.forwarder !== undefined) return;
    const quorum = this.quorum;
    const forwarder: RemoteForwarder =
      quorum === undefined
        ? { forward: (queue, message, ticket) => this.forward(vhost.name, queue, message, ticket), queueRef: (queue) => this.consuming.refFor(vhost.name, queue) }
        : {
            forward: (queue, message, ticket) => (quorum.isQuorum(queue) ? quorum.publish(vhost.name, queue, message, ticket) : this.forward(vhost.name, queue, message, ticket)),
            queueRef: (queue) => (quorum.isQuorum(queue) ? quorum.refFor(vhost, queue) : this.consuming.refFor(vhost.name, queue)),
            place: (req) => quorum.place(req),
          };
    vhost.router.forwarder = forwarder;
  }

  close(): void {
    this.closed = true;
    this.inbound?.unsubscribe();
    this.consuming.close();
    for (const link of this.links.values()) {
      clearInterval(link.probe);
      this.settle(link.records, false);
      link.records = [];
    }
  }

  private forward(vhost: string, queue: Queue, message: Message, ticket: SyncTicket | undefined): boolean {
    const owner = queue.options.ownerNode as string;
    let link = this.links.get(owner);
    if (link === undefined) this.links.set(owner, (link = new Link()));
    if (link.down || this.closed) return false;
    const last = link.records[link.records.length - 1];
    if (last !== undefined && last.message === message && last.vhost === vhost && last.queues.length < MAX_QUEUES_PER_RECORD) {
      last.queues.push(queue.name); // the same publish to another queue of that node: one copy of the message
      link.bytes += 1 + Buffer.byteLength(queue.name);
      return true;
    }
    const record: Outgoing = { vhost, exchange: message.exchange, routingKey: message.routingKey, queues: [queue.name], properties: message.rawProperties, body: message.body, message, ticket };
    const size = recordSize(record);
    if (link.inFlight + link.bytes + size > MAX_IN_FLIGHT_BYTES || size + 4 > this.nc.info!.max_payload) {
      if (ticket !== undefined) {
        ticket.waiting++;
        queueMicrotask(() => ticket.synced(false));
      }
      this.logger.warn({ event: 'cluster.forward-refused', node: owner, vhost, queue: queue.name, bytes: size }, `message for queue '${queue.name}' on node '${owner}' not forwarded: ${size + 4 > this.nc.info!.max_payload ? 'larger than the NATS max_payload' : 'too much in flight to that node'}`);
      return true; // routed, and nacked: the queue is there, this message did not reach it
    }
    if (ticket !== undefined) ticket.waiting++;
    link.records.push(record);
    link.bytes += size;
    if (link.bytes >= BATCH_BYTES) this.flush(owner, link);
    else if (!link.scheduled) {
      link.scheduled = true;
      setImmediate(() => this.flush(owner, link));
    }
    return true;
  }

  private flush(owner: string, link: Link): void {
    link.scheduled = false;
    const records = link.records;
    if (records.length === 0) return;
    const bytes = link.bytes;
    link.records = [];
    link.bytes = 0;
    link.inFlight += bytes;
    let payload: Buffer;
    try {
      payload = encodeBatch(records, bytes);
    } catch (err) {
      link.inFlight -= bytes;
      this.logger.error({ event: 'cluster.forward-encode-failed', node: owner, err }, `forward batch to '${owner}' not encoded: ${(err as Error).message}`);
      return this.settle(records, false);
    }
    this.nc.request(nodeForwardSubject(owner), payload, { timeout: REPLY_TIMEOUT_MS }).then(
      (reply) => {
        link.inFlight -= bytes;
        const stored = reply.data;
        for (let i = 0; i < records.length; i++) (records[i] as Outgoing).ticket?.synced(stored[i] === 1);
      },
      (err: unknown) => {
        link.inFlight -= bytes;
        this.settle(records, false);
        this.unreachable(owner, link, err);
      },
    );
  }

  private settle(records: readonly Outgoing[], ok: boolean): void {
    for (const r of records) r.ticket?.synced(ok);
  }

  private unreachable(owner: string, link: Link, err: unknown): void {
    if (link.down || this.closed) return;
    link.down = true;
    this.logger.warn({ event: 'cluster.node-unreachable', node: owner, err }, `node '${owner}' does not answer forwarded messages (${(err as Error).message}): its queues are unavailable until it answers again`);
    link.probe = setInterval(() => {
      this.nc.request(nodePingSubject(owner), '', { timeout: PROBE_MS }).then(
        () => {
          if (!link.down) return;
          link.down = false;
          clearInterval(link.probe);
          link.probe = undefined;
          this.logger.info({ event: 'cluster.node-reachable', node: owner }, `node '${owner}' answers again: its queues are available`);
        },
        () => undefined,
      );
    }, PROBE_MS);
    link.probe.unref();
  }
}
