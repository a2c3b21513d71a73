import type { KV } from '@nats-io/kv';
import type { DefinitionsReplicator, DefinitionsTarget } from '../core/replication.js';
import type { TopicPermission, VhostPermission } from '../core/security/permissions.js';
import type { UserRecord } from '../core/security/users.js';
import type { VhostMetadata } from '../core/vhost-meta.js';
import type { PolicyDef, PolicyKindName } from '../store/policy-records.js';
import type { Logger } from '../util/logger.js';
import {
  accessKey,
  ACCESS_ORDER,
  bodyOf,
  isAccessRecord,
  permissionRecord,
  policyRecord,
  tombstone,
  topicPermissionRecord,
  userRecord,
  vhostOf,
  vhostRecord,
  type AccessRecord,
} from './access-records.js';
import { userPermissionFilters, vhostContentsFilter } from './keys.js';
import type { WatchedEntry } from './metadata-watch.js';

/** How often a write reads the key again when another node wrote it between our read and our compare-and-set. */
const CAS_ATTEMPTS = 5;

const encoder = new TextEncoder();

/**
 * Vhosts, users, permissions, topic permissions, policies and operator policies in the metadata
 * bucket. Every local change (the durability listener calls this, whichever command made it) is
 * written with compare-and-set against the revision this node last saw of the key; when another
 * node wrote the key in between, the write reads the newer revision and goes again. So the writes
 * of one key are in one order, the bucket's, and every node applies them in that order (its own
 * too, when another node's came between): the last write in the bucket stands on every node, as
 * the later of two rabbitmqctl set_policy calls does.
 *
 * A remote change is applied through the broker's own commands (DefinitionsTarget); what they
 * report back here is the value the bucket already holds, and is not written again: a node
 * compares a change with the text the bucket last said for the key (`known`).
 */
export class AccessMetadata implements DefinitionsReplicator {
  /** The record text (without its writer) the bucket last said, or this node last wrote, per key. */
  private readonly known = new Map<string, string>();
  private readonly revisions = new Map<string, number>();
  /** Writes of one key run one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  /** A vhost's record being written: what is written in that vhost goes after it (the others must know the vhost first). */
  private readonly vhostWrites = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<boolean>>();

  constructor(
    private readonly kv: KV,
    private readonly node: string,
    private readonly target: DefinitionsTarget,
    private readonly logger: Logger,
  ) {}

  // ---- DefinitionsReplicator (local changes) ----------------------------------------------------

  vhostPut(name: string, meta: VhostMetadata): void {
    this.write(vhostRecord(name, meta));
  }

  vhostDeleted(name: string): void {
    this.write(tombstone({ kind: 'vhost', name }), [vhostContentsFilter(name)]);
  }

  userPut(user: UserRecord): void {
    this.write(userRecord(user));
  }

  userDeleted(name: string): void {
    this.write(tombstone({ kind: 'user', name }), userPermissionFilters(name));
  }

  permissionSet(p: VhostPermission): void {
    this.write(permissionRecord(p));
  }

  permissionCleared(user: string, vhost: string): void {
    this.write(tombstone({ kind: 'permission', vhost, user }));
  }

  topicPermissionSet(p: TopicPermission): void {
    this.write(topicPermissionRecord(p));
  }

  topicPermissionCleared(user: string, vhost: string, exchange: string): void {
    this.write(tombstone({ kind: 'topic-permission', vhost, user, exchange }));
  }

  policySet(kind: PolicyKindName, policy: PolicyDef): void {
    this.write(policyRecord(kind, policy));
  }

  policyDeleted(kind: PolicyKindName, vhost: string, name: string): void {
    this.write(tombstone({ kind: 'policy', policyKind: kind, vhost, name }));
  }

  settled(): Promise<boolean> | undefined {
    if (this.pending.size === 0) return undefined;
    return Promise.all([...this.pending]).then((all) => all.every(Boolean));
  }

  /** A write in this vhost waits for this (cluster/metadata.ts asks too, for exchanges, queues and bindings). */
  afterVhost(vhost: string): Promise<void> | undefined {
    return this.vhostWrites.get(vhost);
  }

  /**
   * Writes the record unless the bucket says so already; then, for a tombstone of a vhost or a
   * user, deletes the keys that went with it (the vhost's objects, the user's permissions): other
   * nodes drop them with the vhost or user, and a node joining later must not find them.
   */
  private write(r: AccessRecord, purge: readonly string[] = []): void {
    const key = accessKey(r);
    const body = bodyOf(r);
    if (this.known.get(key) === body) return; // an echo of what the bucket holds
    this.known.set(key, body);
    const inVhost = vhostOf(r);
    const barrier = inVhost === undefined ? undefined : this.vhostWrites.get(inVhost);
    const prev = this.chains.get(key);
    const op = async (): Promise<void> => {
      await this.compareAndSet(key, body);
      for (const filter of purge) await this.deleteKeys(filter);
    };
    const run = barrier === undefined && prev === undefined ? op() : Promise.all([prev, barrier]).then(op, op);
    const tail = run.catch((err: unknown) => {
      this.logger.error({ event: 'cluster.write-failed', key, err }, `cluster metadata write failed: ${(err as Error).message}`);
    });
    this.chains.set(key, tail);
    const ok = run.then(
      () => true,
      () => false,
    );
    this.pending.add(ok);
    void ok.then(() => {
      this.pending.delete(ok);
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    if (r.kind === 'vhost') {
      this.vhostWrites.set(r.name, tail);
      void tail.then(() => {
        if (this.vhostWrites.get(r.name) === tail) this.vhostWrites.delete(r.name);
      });
    }
  }

  private async compareAndSet(key: string, body: string): Promise<void> {
    const data = encoder.encode(`${body.slice(0, -1)},"origin":${JSON.stringify(this.node)}}`);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const revision = this.revisions.get(key);
      try {
        const written = revision === undefined ? await this.kv.create(key, data) : await this.kv.update(key, data, revision);
        this.noteRevision(key, written);
        return;
      } catch (err) {
        if (!isCasMismatch(err)) throw err;
        const entry = await this.kv.get(key); // another node wrote it since: write over its newer revision
        if (entry === null) this.revisions.delete(key);
        else this.revisions.set(key, entry.revision);
      }
    }
    throw new Error(`'${key}' kept changing under ${CAS_ATTEMPTS} writes`);
  }

  private async deleteKeys(filter: string): Promise<void> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys(filter)) keys.push(k);
    for (const k of keys) {
      await this.kv.delete(k);
      this.known.delete(k);
    }
  }

  private noteRevision(key: string, revision: number): void {
    if (revision > (this.revisions.get(key) ?? 0)) this.revisions.set(key, revision);
  }

  // ---- the watch (remote changes) ----------------------------------------------------------------

  /** At the join, what the bucket holds, applied in ACCESS_ORDER; tombstones too (a deletion made while this node was down). */
  load(entries: readonly WatchedEntry[]): void {
    const records: [WatchedEntry, AccessRecord][] = [];
    for (const e of entries) if (e.value !== undefined && isAccessRecord(e.value)) records.push([e, e.value]);
    records.sort((a, b) => ACCESS_ORDER[a[1].kind] - ACCESS_ORDER[b[1].kind]);
    for (const [e, r] of records) this.apply(e, r);
  }

  /** A later change, in the bucket's order; true when it was a definitions record (handled here). */
  change(e: WatchedEntry): boolean {
    if (e.value === undefined) {
      this.known.delete(e.key);
      return false;
    }
    if (!isAccessRecord(e.value)) return false;
    this.apply(e, e.value);
    return true;
  }

  /** After the load: what this node has and the bucket does not (never written there) is written to it. */
  async joined(): Promise<void> {
    const local = this.target.local();
    const records: AccessRecord[] = [
      ...local.vhosts.map(([name, meta]) => vhostRecord(name, meta)),
      ...local.users.map(userRecord),
      ...local.permissions.map(permissionRecord),
      ...local.topicPermissions.map(topicPermissionRecord),
      ...local.policies.map(([kind, def]) => policyRecord(kind, def)),
    ];
    for (const r of records) if (!this.revisions.has(accessKey(r))) this.write(r);
    await this.settled();
  }

  private apply(e: WatchedEntry, r: AccessRecord): void {
    this.noteRevision(e.key, e.revision);
    const body = bodyOf(r);
    if (this.known.get(e.key) === body) return; // this node's own write, or nothing new
    this.known.set(e.key, body);
    try {
      this.applyRecord(r);
    } catch (err) {
      this.logger.error({ event: 'cluster.apply-failed', err, key: e.key, kind: r.kind }, `cluster definitions change not applied: ${(err as Error).message}`);
    }
  }

  private applyRecord(r: AccessRecord): void {
    const t = this.target;
    const deleted = r.deleted === true;
    switch (r.kind) {
      case 'vhost':
        if (deleted) t.deleteVhost(r.name);
        else if (r.meta !== undefined) t.putVhost(r.name, r.meta);
        return;
      case 'user':
        if (deleted) t.deleteUser(r.name);
        else if (r.user !== undefined) t.putUser({ name: r.name, ...r.user });
        return;
      case 'permission':
        if (deleted) t.clearPermission(r.user, r.vhost);
        else t.setPermission({ user: r.user, vhost: r.vhost, configure: r.configure ?? '', write: r.write ?? '', read: r.read ?? '' });
        return;
      case 'topic-permission':
        if (deleted) t.clearTopicPermission(r.user, r.vhost, r.exchange);
        else t.setTopicPermission({ user: r.user, vhost: r.vhost, exchange: r.exchange, write: r.write ?? '', read: r.read ?? '' });
        return;
      case 'policy':
        if (deleted) t.deletePolicy(r.policyKind, r.vhost, r.name);
        else if (r.policy !== undefined) t.setPolicy(r.policyKind, r.policy);
        return;
    }
  }
}

/** The key changed between the read and the write (JetStream's wrong last sequence, 10071), or exists already (create). */
export function isCasMismatch(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10071 || /wrong last sequence|key exists/i.test(String(e?.message));
}
