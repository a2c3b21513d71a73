import type { KV, KvEntry } from '@nats-io/kv';
import { amqpError } from '../errors/index.js';
import type { BindingDestination, ExchangeDefinition, QueueDefinition } from '../core/persistence.js';
import type { ReplicationWaits, TopologyReplicator } from '../core/replication.js';
import type { VirtualHost } from '../core/vhost.js';
import type { FieldTable } from '../protocol/field-table.js';
import type { Logger } from '../util/logger.js';
import { isCasMismatch } from './access-metadata.js';
import { applyRecord, exchangeRequest, queueRequest } from './apply.js';
import type { MetadataWatch, WatchedEntry } from './metadata-watch.js';
import { asTopology, bindingRecord, decodeRecord, encodeRecord, exchangeRecord, queueRecord, recordKey, type StoredRecord, type TopologyRecord } from './records.js';

/** How often a create retries when the key changed between its read and its compare-and-set. */
const CAS_ATTEMPTS = 5;

/**
 * The replicated topology of one node: every local change is written to the metadata bucket
 * (a new exchange or queue with compare-and-set, so two nodes cannot both create one name), and
 * every change another node wrote is applied to the local tables (the watch). The AMQP layer waits
 * for the write before it replies (ReplicationWaits), so a declare-ok means every node will see it.
 *
 * A create that loses the race (the key holds another node's live record) makes the local tables
 * say what the bucket says, then runs the client's declare again against that: RabbitMQ's
 * equivalence rules decide, the same code as on one node, so the loser gets the usual 406 (or 405
 * for another node's exclusive queue), or a declare-ok when the two were equivalent.
 */
export class ClusterMetadata implements TopologyReplicator, ReplicationWaits {
  /** While a remote change is applied: what it does locally is not written back. */
  private muted = false;
  private pending: Promise<void>[] = [];
  /** Writes of one key run one after another (a declare then a delete must not land reversed). */
  private readonly chains = new Map<string, Promise<void>>();
  /** Bindings whose ends are not known here yet, by key. */
  private readonly parked = new Map<string, StoredRecord>();
  /** Every key the bucket held at the join, tombstones included (publishLocal writes only the others). */
  private known: ReadonlySet<string> = new Set();
  /** Called with each vhost a remote change is applied to (cluster/forward.ts gives it a forwarder). */
  onVhost: ((vhost: VirtualHost) => void) | undefined;

  constructor(
    private readonly kv: KV,
    private readonly node: string,
    private readonly vhosts: ReadonlyMap<string, VirtualHost>,
    private readonly logger: Logger,
    private readonly watch: MetadataWatch,
    /** A write in a vhost whose own record is still being written waits for it (cluster/access-metadata.ts). */
    private readonly afterVhost: (vhost: string) => Promise<void> | undefined = () => undefined,
  ) {}

  /** True while a change from the bucket is applied here (what it does locally is not a local change). */
  get applying(): boolean {
    return this.muted;
  }

  // ---- ReplicationWaits ------------------------------------------------------------------------

  begin(): void {
    if (this.pending.length > 0) this.pending = [];
  }

  take(): Promise<void> | undefined {
    const p = this.pending;
    if (p.length === 0) return undefined;
    this.pending = [];
    return p.length === 1 ? p[0] : Promise.all(p).then(() => undefined);
  }

  catchUp(): Promise<void> {
    return this.watch.catchUp();
  }

  // ---- TopologyReplicator (local changes) ------------------------------------------------------

  exchangeDeclared(vhost: string, x: ExchangeDefinition): void {
    if (this.live(vhost)) this.track(this.claim(exchangeRecord(vhost, x)));
  }

  exchangeDeleted(vhost: string, x: ExchangeDefinition): void {
    if (this.live(vhost)) this.track(this.write(exchangeRecord(vhost, x), true));
  }

  queueDeclared(vhost: string, q: QueueDefinition): void {
    if (this.live(vhost)) this.track(this.claim(queueRecord(vhost, q, this.node)));
  }

  queueDeleted(vhost: string, q: QueueDefinition): void {
    if (this.live(vhost)) this.track(this.write(queueRecord(vhost, q, this.node), true));
  }

  bindingAdded(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    if (this.live(vhost)) this.track(this.write(bindingRecord(vhost, source, destination, routingKey, args), false));
  }

  bindingRemoved(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    if (this.live(vhost)) this.track(this.write(bindingRecord(vhost, source, destination, routingKey, args), true));
  }

  /**
   * Not muted, and the vhost is in the table: a vhost being deleted is detached first, so the
   * deletion of its contents is not written key by key (its tombstone says it, access-metadata.ts).
   */
  private live(vhost: string): boolean {
    return !this.muted && this.vhosts.has(vhost);
  }

  private track(p: Promise<void>): void {
    this.pending.push(p);
  }

  /** Runs op after the key's earlier writes; a failure of one does not stop the next. */
  private serial(key: string, op: () => Promise<void>, vhost?: string): Promise<void> {
    const barrier = vhost === undefined ? undefined : this.afterVhost(vhost);
    const prev = barrier === undefined ? (this.chains.get(key) ?? Promise.resolve()) : Promise.all([this.chains.get(key), barrier]);
    const next = prev.then(op, op);
    const tail = next.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return next;
  }

  /** A put (a binding, or a tombstone): no conflict to resolve; a failure is logged and reported. */
  private write(r: TopologyRecord, deleted: boolean): Promise<void> {
    const key = recordKey(r);
    return this.serial(key, async () => {
      try {
        await this.kv.put(key, encodeRecord(r, this.node, deleted));
      } catch (err) {
        this.logger.error({ event: 'cluster.write-failed', key, err }, `cluster metadata write failed: ${(err as Error).message}`);
        throw amqpError('WARREN_RESOURCE_ERROR', `cluster metadata write failed (${(err as Error).message})`);
      }
    }, r.vhost);
  }

  /** A new exchange or queue: created in the bucket only if no other node holds the name. */
  private claim(r: TopologyRecord): Promise<void> {
    const key = recordKey(r);
    return this.serial(key, async () => {
      const data = encodeRecord(r, this.node);
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        let held: StoredRecord | undefined;
        try {
          const entry: KvEntry | null = await this.kv.get(key);
          held = entry === null || entry.operation !== 'PUT' ? undefined : decodeRecord(entry.value);
          if (held === undefined || held.deleted === true || this.staleOwnRecord(held)) {
            if (entry === null) await this.kv.create(key, data);
            else await this.kv.update(key, data, entry.revision);
            return;
          }
        } catch (err) {
          if (isCasMismatch(err)) continue; // changed since we read it: read again
          this.undoLocal(r);
          this.logger.error({ event: 'cluster.write-failed', key, err }, `cluster metadata write failed: ${(err as Error).message}`);
          throw amqpError('WARREN_RESOURCE_ERROR', `cluster metadata write failed (${(err as Error).message}); nothing was declared`);
        }
        return this.lostRace(r, held); // throws the 406 (or 405) when inequivalent
      }
      this.undoLocal(r);
      throw amqpError('WARREN_RESOURCE_ERROR', `cluster metadata for '${r.kind === 'binding' ? r.source : r.name}' kept changing; nothing was declared`);
    }, r.vhost);
  }

  /** Our own record of a queue we no longer have (from before a restart): ours to overwrite. */
  private staleOwnRecord(held: StoredRecord): boolean {
    return held.kind === 'queue' && held.owner === this.node;
  }

  /**
   * Another node holds the name: the local tables take its record (our create undone), then the
   * client's declare runs again against it, so the equivalence rules give the answer.
   */
  private lostRace(mine: TopologyRecord, held: StoredRecord): void {
    const vhost = this.vhosts.get(mine.vhost);
    if (vhost === undefined) return;
    const declarer = mine.kind === 'queue' ? vhost.queues.get(mine.name)?.exclusiveOwner : undefined;
    this.undoLocal(mine);
    this.applyMuted(vhost, held);
    this.mute(() => {
      if (mine.kind === 'exchange' && vhost.exchanges.has(mine.name)) vhost.declareExchange(exchangeRequest(mine));
      else if (mine.kind === 'queue' && vhost.queues.has(mine.name)) {
        const { request, owner } = queueRequest(mine, this.node);
        vhost.declareQueue({ ...request, ownerNode: undefined }, declarer ?? owner);
      }
    });
  }

  /** Takes back a local create the cluster refused (not written anywhere, only here). */
  private undoLocal(r: TopologyRecord): void {
    const vhost = this.vhosts.get(r.vhost);
    if (vhost === undefined) return;
    this.mute(() => {
      if (r.kind === 'exchange') vhost.deleteExchange(r.name, false);
      else if (r.kind === 'queue') {
        const q = vhost.queues.get(r.name);
        if (q !== undefined && q.options.ownerNode === undefined) vhost.deleteQueue(r.name, q.exclusiveOwner ?? queueRequest(r, this.node).owner, false, false);
      }
    });
  }

  private mute(work: () => void): void {
    const was = this.muted;
    this.muted = true;
    try {
      work();
    } finally {
      this.muted = was;
    }
  }

  // ---- the watch (remote changes) --------------------------------------------------------------

  /**
   * At the join, what the bucket holds (cluster/metadata-watch.ts): exchanges, then queues, then
   * bindings, tombstones included. The bucket is the truth for what other nodes own and for
   * deletions: an object deleted while this node was down goes here too, although this node's
   * definitions log had it, and is not written back by joined().
   */
  load(entries: readonly WatchedEntry[]): void {
    const initial: StoredRecord[] = [];
    for (const e of entries) {
      const r = e.value === undefined ? undefined : asTopology(e.value);
      if (r !== undefined) initial.push(r);
    }
    const order = { exchange: 0, queue: 1, binding: 2 } as const;
    initial.sort((a, b) => order[a.kind] - order[b.kind]);
    for (const r of initial) this.applyRemote(r);
    this.known = new Set(initial.map(recordKey));
  }

  /** A later change; this node's own come back too and are skipped. */
  change(e: WatchedEntry): void {
    const r = e.value === undefined ? undefined : asTopology(e.value);
    if (r !== undefined && r.origin !== this.node) this.applyRemote(r);
  }

  /** After the load: local objects the bucket does not know (declared while alone) are written to it. */
  joined(): Promise<void> {
    return this.publishLocal(this.known);
  }

  private applyRemote(r: StoredRecord): void {
    const vhost = this.vhosts.get(r.vhost);
    if (vhost === undefined) {
      if (r.deleted === true) return; // gone with its vhost, or never here
      this.logger.warn({ event: 'cluster.unknown-vhost', vhost: r.vhost }, `cluster metadata for vhost '${r.vhost}', which this node does not have: ignored`);
      return;
    }
    this.onVhost?.(vhost);
    const key = recordKey(r);
    if (r.kind === 'binding' && r.deleted !== true) this.parked.delete(key);
    if (!this.applyMuted(vhost, r) && r.kind === 'binding') this.parked.set(key, r);
    if (r.kind !== 'binding' && this.parked.size > 0) {
      for (const [k, b] of [...this.parked]) if (this.applyMuted(vhost, b)) this.parked.delete(k);
    }
  }

  private applyMuted(vhost: VirtualHost, r: StoredRecord): boolean {
    let applied = true;
    try {
      this.mute(() => (applied = applyRecord(vhost, r, this.node)));
    } catch (err) {
      this.logger.error({ event: 'cluster.apply-failed', err, kind: r.kind, vhost: r.vhost }, `cluster metadata not applied: ${(err as Error).message}`);
    }
    return applied;
  }

  /** At join: what this node has and the bucket does not (declared while alone) is written to it. */
  private async publishLocal(known: ReadonlySet<string>): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [name, vhost] of this.vhosts) {
      for (const x of vhost.exchanges.values()) {
        const r = exchangeRecord(name, x);
        if (!x.builtin && !known.has(recordKey(r))) writes.push(this.claim(r));
      }
      for (const q of vhost.queues.values()) {
        const r = queueRecord(name, q, this.node);
        if (q.options.ownerNode === undefined && !known.has(recordKey(r))) writes.push(this.claim(r));
      }
      for (const x of vhost.exchanges.values()) {
        for (const b of x.table.bindings()) {
          const r = bindingRecord(name, x, b.destination, b.routingKey, b.args);
          if (!known.has(recordKey(r))) writes.push(this.write(r, false));
        }
      }
    }
    const results = await Promise.allSettled(writes);
    for (const res of results) {
      if (res.status === 'rejected') this.logger.warn({ event: 'cluster.local-conflict', err: res.reason }, `local definition not joined to the cluster: ${(res.reason as Error).message}`);
    }
  }
}
