import { join } from 'node:path';
import { amqpError } from './errors/index.js';
import {
  isExchangeDefinition,
  type BindingDestination,
  type ExchangeDefinition,
  type MessageLog,
  type PageStore,
  type QueueDefinition,
} from './core/persistence.js';
import type { VhostListener } from './core/vhost-table.js';
import type { DefinitionsReplicator, TopologyReplicator } from './core/replication.js';
import type { PermissionListener, TopicPermission, VhostPermission } from './core/security/permissions.js';
import type { VhostMetadata } from './core/vhost-meta.js';
import type { UserRecord, UsersListener } from './core/security/users.js';
import { PageFile } from './store/page-file.js';
import { PAGE_WRITES_HIGH, PageWrites } from './store/page-writes.js';
import { mkdirSync } from 'node:fs';
import { encodeTable, type FieldTable } from './protocol/field-table.js';
import type { DefinitionsStore } from './store/definitions-store.js';
import type { PolicyDef, PolicyKindName } from './store/policy-records.js';
import type { SchemaDef } from './store/schema-records.js';
import type { ParameterDef } from './store/parameter-records.js';
import { QueueLog } from './store/queue-log.js';
import { delayedDirName, nameHash, queueDirName } from './store/queue-dirs.js';
import type { SyncScheduler } from './store/sync-scheduler.js';

/** A queue's message directory (store/queue-dirs.ts names it). */
export function queueDir(dataDir: string, vhost: string, queue: string): string {
  return join(dataDir, queueDirName(vhost, queue));
}

/** Held messages of a durable delayed exchange live beside the queues' logs. */
export function delayedDir(dataDir: string, vhost: string, exchange: string): string {
  return join(dataDir, delayedDirName(vhost, exchange));
}

const b64 = (t: FieldTable): string => encodeTable(t).toString('base64');

/** A stub of another cluster node's queue is not stored here: its owner keeps it, the cluster's metadata names it. */
function isDurable(d: BindingDestination): boolean {
  return isExchangeDefinition(d) ? d.options.durable : d.options.durable && !d.options.exclusive && d.options.ownerNode === undefined;
}

/**
 * Connects the vhosts to the store: durable definitions go to the definitions log, durable
 * queues get a message log. Muted while recovery replays what the log already holds.
 */
export class Persistence implements VhostListener, PermissionListener, UsersListener {
  muted = false;
  /** Set when the node is in a cluster: told of every topology change after the store is (core/replication.ts). */
  replicator: TopologyReplicator | undefined = undefined;
  /** Set in a cluster too: told of every vhost, user, permission and policy change (core/replication.ts). */
  definitionsReplicator: DefinitionsReplicator | undefined = undefined;
  /** Logs read during recovery, handed to their queues when recovery redeclares them. */
  readonly recovered = new Map<string, QueueLog>();
  private readonly dataDir: string;
  private readonly definitions: DefinitionsStore;
  readonly scheduler: SyncScheduler;
  private readonly open = new Set<QueueLog>();
  private pageSeq = 0;
  /** Page-file bytes still on their way to disk, across queues: the broker blocks publishers past a bound. */
  readonly pageWrites: PageWrites;
  private readonly pageStores = new Set<PageFile>();

  constructor(dataDir: string, definitions: DefinitionsStore, scheduler: SyncScheduler) {
    this.dataDir = dataDir;
    this.definitions = definitions;
    this.scheduler = scheduler;
    // One account of failing writes for the message logs and the page files: the disk alarm.
    this.pageWrites = new PageWrites(PAGE_WRITES_HIGH, scheduler.health);
    // Made once here: opening a page store on the publish path must not touch the disk.
    mkdirSync(join(dataDir, 'pages'), { recursive: true });
    definitions.groupCommit(scheduler);
  }

  definitionsMark(): number {
    return this.definitions.mark;
  }

  /** In a cluster, also once the definitions writes to the cluster's bucket asked for so far landed. */
  whenDefinitionsSynced(mark: number, done: (ok: boolean) => void): boolean {
    const replicated = this.definitionsReplicator?.settled();
    if (replicated === undefined) return this.definitions.whenSynced(mark, done);
    const onDisk = new Promise<boolean>((resolve) => {
      if (!this.definitions.whenSynced(mark, resolve)) resolve(true);
    });
    void Promise.all([onDisk, replicated]).then(([disk, cluster]) => done(disk && cluster));
    return true;
  }

  /** Holds every definitions record until the release runs, then writes them with one sync (a definitions import). */
  holdDefinitions(): () => void {
    return this.definitions.hold();
  }

  vhostCreated(name: string, meta: VhostMetadata): void {
    if (!this.muted) this.definitions.write({ op: 'put-vhost', name, ...meta });
    this.definitionsReplicator?.vhostPut(name, meta);
  }

  userPut(user: UserRecord): void {
    this.definitions.write({ op: 'put-user', ...user });
    this.definitionsReplicator?.userPut(user);
  }

  userDeleted(name: string): void {
    this.definitions.write({ op: 'del-user', name });
    this.definitionsReplicator?.userDeleted(name);
  }

  /** The configured users were put: never again for this data directory. */
  usersSeeded(): void {
    this.definitions.write({ op: 'users-seeded' });
  }

  vhostDeleted(name: string): void {
    if (!this.muted) this.definitions.write({ op: 'del-vhost', name });
    this.definitionsReplicator?.vhostDeleted(name);
  }

  permissionSet(p: VhostPermission): void {
    this.definitions.write({ op: 'put-permission', user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read });
    this.definitionsReplicator?.permissionSet(p);
  }

  permissionCleared(user: string, vhost: string): void {
    this.definitions.write({ op: 'del-permission', user, vhost });
    this.definitionsReplicator?.permissionCleared(user, vhost);
  }

  topicPermissionSet(p: TopicPermission): void {
    this.definitions.write({ op: 'put-topic-permission', user: p.user, vhost: p.vhost, exchange: p.exchange, write: p.write, read: p.read });
    this.definitionsReplicator?.topicPermissionSet(p);
  }

  topicPermissionCleared(user: string, vhost: string, exchange: string): void {
    this.definitions.write({ op: 'del-topic-permission', user, vhost, exchange });
    this.definitionsReplicator?.topicPermissionCleared(user, vhost, exchange);
  }

  /** A JSON Schema was registered (replaced) or deleted by name (store/schema-records.ts). */
  schemaSet(def: SchemaDef): void {
    this.definitions.write({ op: 'put-schema', def });
  }

  schemaDeleted(vhost: string, name: string): void {
    this.definitions.write({ op: 'del-schema', vhost, name });
  }

  /** A policy or operator policy was set (replaced) or deleted (store/policy-records.ts). */
  policySet(kind: PolicyKindName, policy: PolicyDef): void {
    this.definitions.write({ op: 'put-policy', kind, policy });
    this.definitionsReplicator?.policySet(kind, policy);
  }

  policyDeleted(kind: PolicyKindName, vhost: string, name: string): void {
    this.definitions.write({ op: 'del-policy', kind, vhost, name });
    this.definitionsReplicator?.policyDeleted(kind, vhost, name);
  }

  /** A runtime parameter was set (replaced) or cleared (store/parameter-records.ts). */
  parameterSet(parameter: ParameterDef): void {
    this.definitions.write({ op: 'put-parameter', parameter });
  }

  parameterCleared(vhost: string, component: string, name: string): void {
    this.definitions.write({ op: 'del-parameter', vhost, component, name });
  }

  /** The configured permissions seeded the log (once; see store/permission-records.ts). */
  permissionsSeeded(): void {
    this.definitions.write({ op: 'permissions-seeded' });
  }

  exchangeDeclared(vhost: string, x: ExchangeDefinition): MessageLog | undefined {
    const log = this.storeExchange(vhost, x);
    this.replicator?.exchangeDeclared(vhost, x);
    return log;
  }

  private storeExchange(vhost: string, x: ExchangeDefinition): MessageLog | undefined {
    if (!x.options.durable) return undefined;
    const log = x.delayed === undefined ? undefined : this.logFor(delayedDir(this.dataDir, vhost, x.name), 'exchange', vhost, x.name);
    if (!this.muted) {
      const { autoDelete, internal, arguments: args } = x.options;
      this.definitions.write({ op: 'put-exchange', vhost, name: x.name, type: x.type, autoDelete, internal, arguments: b64(args) });
    }
    return log;
  }

  exchangeDeleted(vhost: string, x: ExchangeDefinition): void {
    this.replicator?.exchangeDeleted(vhost, x);
    if (this.muted || !x.options.durable) return;
    // Synced before the vhost deletes the held messages: a crash in between leaves a directory
    // the start-up sweep knows it may remove.
    const dir = x.delayed === undefined ? {} : { dir: delayedDirName(vhost, x.name) };
    this.definitions.write({ op: 'del-exchange', vhost, name: x.name, ...dir });
  }

  queueDeclared(vhost: string, q: QueueDefinition): MessageLog | undefined {
    const log = this.storeQueue(vhost, q);
    this.replicator?.queueDeclared(vhost, q);
    return log;
  }

  private storeQueue(vhost: string, q: QueueDefinition): MessageLog | undefined {
    if (!isDurable(q)) return undefined;
    // The message directory first: a declare that cannot have one (a full disk, no inodes left)
    // is refused before its record is written, so it is not declared after a restart either.
    // Within a definitions import it is made with the queue's first message instead: one mkdir per
    // queue was most of a 10,000-queue import (bench/definitions-import.ts), and an import has no
    // client to refuse. Recovery treats a queue without a directory as an empty one.
    const log = this.logFor(queueDir(this.dataDir, vhost, q.name), 'queue', vhost, q.name, this.definitions.holding);
    if (!this.muted) {
      this.definitions.write({ op: 'put-queue', vhost, name: q.name, autoDelete: q.options.autoDelete, arguments: b64(q.options.arguments) });
    }
    return log;
  }

  /** The log recovered for dir, or a new one; 506 RESOURCE_ERROR when the directory cannot be made. */
  private logFor(dir: string, kind: 'queue' | 'exchange', vhost: string, name: string, lazy = false): QueueLog {
    let log = this.recovered.get(dir);
    if (log !== undefined) this.recovered.delete(dir);
    else {
      try {
        log = QueueLog.create(dir, this.scheduler, lazy);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? String(err);
        throw amqpError('WARREN_RESOURCE_ERROR', `cannot create the message store of ${kind} '${name}' in vhost '${vhost}' (${code})`);
      }
    }
    // A failed read-back of a paged persistent message (it is retried) is logged as a page read is.
    log.reader.onError = (err) => this.pageWrites.failed(err);
    this.open.add(log);
    return log;
  }

  queueDeleted(vhost: string, q: QueueDefinition): void {
    this.replicator?.queueDeleted(vhost, q);
    if (q.log instanceof QueueLog) this.open.delete(q.log);
    if (this.muted || !isDurable(q)) return;
    // Synced before the queue removes its directory (queue.markDeleted, after this): the record
    // naming the directory is what lets the start-up sweep delete it after a crash in between.
    this.definitions.write({ op: 'del-queue', vhost, name: q.name, dir: queueDirName(vhost, q.name) });
  }

  bindingAdded(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    this.replicator?.bindingAdded(vhost, source, destination, routingKey, args);
    if (this.muted || !isDurable(source) || !isDurable(destination)) return;
    this.definitions.write({ op: 'put-binding', ...this.binding(vhost, source, destination, routingKey, args) });
  }

  bindingRemoved(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void {
    this.replicator?.bindingRemoved(vhost, source, destination, routingKey, args);
    if (this.muted || !isDurable(source) || !isDurable(destination)) return;
    this.definitions.write({ op: 'del-binding', ...this.binding(vhost, source, destination, routingKey, args) });
  }

  /**
   * A page store for a long queue's tail: segment files `<hash>-<n>.<segment>` under pages/.
   * Tracked so that shutdown stops their writes.
   */
  openPageStore(vhost: string, q: QueueDefinition): PageStore {
    const dir = join(this.dataDir, 'pages');
    const name = `${nameHash(vhost, q.name)}-${++this.pageSeq}`;
    const store: PageFile = new PageFile(dir, name, this.pageWrites, () => this.pageStores.delete(store));
    this.pageStores.add(store);
    return store;
  }

  /** Shutdown, after the scheduler went idle: closes every message log. */
  closeAll(): void {
    for (const log of this.open) log.close();
    this.open.clear();
    for (const log of this.recovered.values()) log.close();
    this.recovered.clear();
    for (const store of [...this.pageStores]) store.destroy();
  }

  private binding(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable) {
    return {
      vhost,
      source: source.name,
      destination: destination.name,
      destinationKind: isExchangeDefinition(destination) ? ('exchange' as const) : ('queue' as const),
      routingKey,
      arguments: b64(args),
    };
  }
}
