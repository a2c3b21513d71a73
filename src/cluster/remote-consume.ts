import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { isAmqpError } from '../errors/index.js';
import type { Queue } from '../core/queue/queue.js';
import type { VirtualHost } from '../core/vhost.js';
import type { Logger } from '../util/logger.js';
import { ConsumeProxy, type ProxySink } from './consume-proxy.js';
import { decodeDeliveries, deliverySize, encodeDeliveries, type Delivery } from './delivery-codec.js';
import { nodeConsumeSubject, nodeDeliverSubject, nodePingSubject } from './keys.js';
import { RemoteQueueRef, type OwnerLink, type RemoteSubscription } from './remote-ref.js';

const BATCH_BYTES = 256 * 1024;
/** How often nodes on the other end of a subscription are pinged, and how many misses mean gone. */
const LIVENESS_MS = 1000;
const MISSES = 2;

type Control =
  | { op: 'cancel'; id: string }
  | { op: 'credit'; id: string; n: number }
  | { op: 'settle'; vhost: string; queue: string; kind: 'ack' | 'reject' | 'requeue'; seq: number }
  | { op: 'cancelled'; id: string };

interface ConsumeRequest {
  readonly op: 'consume';
  readonly from: string;
  readonly id: string;
  readonly vhost: string;
  readonly queue: string;
  readonly tag: string;
  readonly exclusive: boolean;
  readonly noAck: boolean;
  readonly priority: number;
  readonly credit: number;
}

class Outbox {
  deliveries: Delivery[] = [];
  bytes = 0;
  controls: Control[] = [];
  scheduled = false;
  misses = 0;
}

/**
 * Consuming across nodes, both ends: here, RemoteQueueRefs for queues other nodes own (their
 * subscriptions, the settlements they send); as an owner, ConsumeProxies standing for other nodes'
 * consumers of local queues (their deliveries). Deliveries and control messages are batched per
 * node per event-loop turn over core NATS; a node on the other end of a subscription is pinged, and
 * when it stops answering, its proxies here end with what they held requeued (as a closed channel's
 * unacked messages are), and the consumers here of its queues are cancelled (basic.cancel).
 */
export class RemoteConsuming implements OwnerLink, ProxySink {
  private readonly refs = new Map<string, RemoteQueueRef>();
  private readonly subs = new Map<string, { ref: RemoteQueueRef; sub: RemoteSubscription }>();
  private readonly proxies = new Map<string, ConsumeProxy>();
  private readonly outboxes = new Map<string, Outbox>();
  private readonly inbound: Subscription[] = [];
  private liveness: NodeJS.Timeout | undefined;
  private readonly bootId = Math.random().toString(36).slice(2, 10);

  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
    private readonly vhosts: ReadonlyMap<string, VirtualHost>,
    private readonly logger: Logger,
  ) {}

  get maxDelivery(): number {
    return (this.nc.info?.max_payload ?? 1024 * 1024) - 64;
  }

  async start(): Promise<void> {
    this.inbound.push(
      this.nc.subscribe(nodeConsumeSubject(this.node), { callback: (err, msg) => void (err === null && this.guard(() => this.onControl(msg.json<ConsumeRequest | { ops: Control[] }>(), (r) => msg.respond(JSON.stringify(r))))) }),
      this.nc.subscribe(nodeDeliverSubject(this.node), { callback: (err, msg) => void (err === null && this.guard(() => this.onDeliveries(msg.data))) }),
    );
    await this.nc.flush();
    this.liveness = setInterval(() => this.checkPeers(), LIVENESS_MS);
    this.liveness.unref();
  }

  close(): void {
    clearInterval(this.liveness);
    for (const s of this.inbound) s.unsubscribe();
    for (const p of this.proxies.values()) p.end(true);
    this.proxies.clear();
  }

  /** The QueueRef of a stub: one per queue, so that delivery ids (the owner's seqs) stay unique per ref. */
  refFor(vhost: string, queue: Queue): RemoteQueueRef {
    const key = `${vhost}\u0000${queue.name}`;
    const owner = queue.options.ownerNode as string;
    let ref = this.refs.get(key);
    if (ref === undefined || ref.owner !== owner) {
      ref = new RemoteQueueRef(vhost, queue.name, owner, this, `${this.node}.${this.bootId}`);
      this.refs.set(key, ref);
    }
    return ref;
  }

  // ---- OwnerLink: this node's consumers of other nodes' queues ------------------------------------

  consume(ref: RemoteQueueRef, sub: RemoteSubscription, priority: number): void {
    this.subs.set(sub.id, { ref, sub });
    const c = sub.consumer;
    const request: ConsumeRequest = { op: 'consume', from: this.node, id: sub.id, vhost: ref.vhost, queue: ref.name, tag: c.tag, exclusive: c.exclusive, noAck: c.noAck, priority, credit: sub.granted };
    this.nc.request(nodeConsumeSubject(ref.owner), JSON.stringify(request), { timeout: 5000 }).then(
      (reply) => {
        const r = reply.json<{ ok: boolean; text?: string }>();
        if (r.ok) return;
        this.logger.info({ event: 'cluster.remote-consume-refused', node: ref.owner, queue: ref.name, reason: r.text }, `consume of '${ref.name}' on node '${ref.owner}' refused: ${r.text}`);
        this.subs.delete(sub.id);
        ref.cancelledByOwner(sub);
      },
      (err: unknown) => {
        this.logger.warn({ event: 'cluster.remote-consume-failed', node: ref.owner, queue: ref.name, err }, `consume of '${ref.name}' on node '${ref.owner}' failed: ${(err as Error).message}`);
        this.subs.delete(sub.id);
        ref.cancelledByOwner(sub);
      },
    );
  }

  cancel(ref: RemoteQueueRef, id: string): void {
    this.subs.delete(id);
    this.control(ref.owner, { op: 'cancel', id });
  }

  credit(ref: RemoteQueueRef, id: string, n: number): void {
    this.control(ref.owner, { op: 'credit', id, n });
  }

  settle(ref: RemoteQueueRef, kind: 'ack' | 'reject' | 'requeue', seq: number): void {
    this.control(ref.owner, { op: 'settle', vhost: ref.vhost, queue: ref.name, kind, seq });
  }

  // ---- ProxySink: other nodes' consumers of this node's queues ------------------------------------

  deliver(node: string, d: Delivery, tooLarge: boolean): void {
    if (tooLarge) {
      this.logger.warn({ event: 'cluster.delivery-too-large', node, bytes: d.body.length }, `a delivery of ${d.body.length} bytes is larger than the NATS max_payload: rejected, not sent to node '${node}'`);
      return;
    }
    const box = this.outbox(node);
    box.deliveries.push(d);
    box.bytes += deliverySize(d);
    if (box.bytes >= BATCH_BYTES) this.flush(node, box);
    else this.schedule(node, box);
  }

  cancelled(node: string, id: string): void {
    const p = this.proxies.get(id);
    if (p !== undefined) {
      this.proxies.delete(id);
      p.outstanding.clear(); // its queue is gone: nothing of it can be settled
    }
    this.control(node, { op: 'cancelled', id });
  }

  // ---- inbound ----------------------------------------------------------------------------------

  private onControl(m: ConsumeRequest | { ops: Control[] }, respond: (r: unknown) => void): void {
    if ('op' in m) return respond(this.startProxy(m));
    for (const c of m.ops) {
      if (c.op === 'settle') this.onSettle(c.vhost, c.queue, c.kind, c.seq);
      else if (c.op === 'credit') {
        const p = this.proxies.get(c.id);
        if (p !== undefined) {
          p.credit += c.n;
          p.ref.resume();
        }
      } else if (c.op === 'cancel') {
        const p = this.proxies.get(c.id);
        if (p !== undefined) {
          p.end(false); // what the consumer holds stays its channel's, to be settled (or requeued at close)
          if (p.outstanding.size === 0) this.proxies.delete(c.id);
        }
      } else if (c.op === 'cancelled') {
        const s = this.subs.get(c.id);
        if (s !== undefined) {
          this.subs.delete(c.id);
          s.ref.cancelledByOwner(s.sub);
        }
      }
    }
  }

  private startProxy(r: ConsumeRequest): { ok: boolean; text?: string } {
    const queue = this.vhosts.get(r.vhost)?.queues.get(r.queue);
    if (queue === undefined || queue.isDeleted || queue.options.ownerNode !== undefined) {
      return { ok: false, text: `NOT_FOUND - no queue '${r.queue}' in vhost '${r.vhost}' on node '${this.node}'` };
    }
    const proxy = new ConsumeProxy(r.id, r.from, queue.ref, r.tag, r.exclusive, r.noAck, r.credit, this);
    try {
      queue.ref.consume(proxy, r.priority);
    } catch (err) {
      if (isAmqpError(err)) return { ok: false, text: err.message };
      throw err;
    }
    this.proxies.set(r.id, proxy);
    return { ok: true };
  }

  private onSettle(vhost: string, queue: string, kind: 'ack' | 'reject' | 'requeue', seq: number): void {
    for (const [id, p] of this.proxies) {
      if (p.ref.vhost !== vhost || p.ref.name !== queue || !p.outstanding.has(seq)) continue;
      p.settle(kind, seq);
      if (p.outstanding.size === 0 && !p.active) this.proxies.delete(id);
      return;
    }
  }

  private onDeliveries(data: Uint8Array): void {
    for (const d of decodeDeliveries(data)) {
      const s = this.subs.get(d.id);
      if (s !== undefined) s.ref.arrived(s.sub, d);
    }
  }

  // ---- outbound and liveness --------------------------------------------------------------------

  private outbox(node: string): Outbox {
    let box = this.outboxes.get(node);
    if (box === undefined) this.outboxes.set(node, (box = new Outbox()));
    return box;
  }

  private control(node: string, c: Control): void {
    const box = this.outbox(node);
    box.controls.push(c);
    this.schedule(node, box);
  }

  private schedule(node: string, box: Outbox): void {
    if (box.scheduled) return;
    box.scheduled = true;
    setImmediate(() => this.flush(node, box));
  }

  private flush(node: string, box: Outbox): void {
    box.scheduled = false;
    if (box.deliveries.length > 0) {
      const list = box.deliveries;
      const bytes = box.bytes;
      box.deliveries = [];
      box.bytes = 0;
      this.publish(nodeDeliverSubject(node), encodeDeliveries(list, bytes));
    }
    if (box.controls.length > 0) {
      const ops = box.controls;
      box.controls = [];
      this.publish(nodeConsumeSubject(node), JSON.stringify({ ops }));
    }
  }

  private publish(subject: string, data: Uint8Array | string): void {
    try {
      this.nc.publish(subject, data);
    } catch (err) {
      this.logger.warn({ event: 'cluster.publish-failed', subject, err }, `cluster message not sent: ${(err as Error).message}`);
    }
  }

  /** Pings each node on the other end of a subscription; after MISSES misses in a row it is gone. */
  private checkPeers(): void {
    const peers = new Set<string>();
    for (const { ref } of this.subs.values()) peers.add(ref.owner);
    for (const p of this.proxies.values()) peers.add(p.node);
    for (const peer of peers) {
      const box = this.outbox(peer);
      this.nc.request(nodePingSubject(peer), '', { timeout: LIVENESS_MS }).then(
        () => (box.misses = 0),
        () => {
          if (++box.misses >= MISSES) this.peerGone(peer);
        },
      );
    }
  }

  private peerGone(peer: string): void {
    this.outbox(peer).misses = 0;
    this.logger.warn({ event: 'cluster.peer-gone', node: peer }, `node '${peer}' does not answer: its consumers of queues here end (what they held is requeued), consumers here of its queues are cancelled`);
    for (const [id, p] of this.proxies) {
      if (p.node !== peer) continue;
      this.proxies.delete(id);
      p.end(true);
    }
    for (const [id, s] of this.subs) {
      if (s.ref.owner !== peer) continue;
      this.subs.delete(id);
      s.ref.cancelledByOwner(s.sub);
    }
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      this.logger.error({ event: 'cluster.remote-consume-error', err }, `cross-node consume: ${(err as Error).message}`);
    }
  }
}
