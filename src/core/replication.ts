import { decodeTable, encodeTable, type FieldTable } from '../protocol/field-table.js';
import type { Message } from './message.js';
import type { BindingDestination, ExchangeDefinition, QueueDefinition, SyncTicket } from './persistence.js';
import type { Queue } from './queue/queue.js';
import type { QueueRef } from './queue/queue-ref.js';
import type { TopicPermission, VhostPermission } from './security/permissions.js';
import type { UserRecord } from './security/users.js';
import type { VhostMetadata } from './vhost-meta.js';
import type { PolicyDef, PolicyKindName } from '../store/policy-records.js';

/**
 * The port between a vhost's topology and a cluster layer (src/cluster/, loaded only with
 * --cluster-nats). The durability listener calls it after each local change; a change applied
 * from another node is not reported back (the cluster layer mutes itself while it applies one).
 * Without a cluster nothing is set, so a single node does no work here, and none per publish.
 */
export interface TopologyReplicator {
  exchangeDeclared(vhost: string, exchange: ExchangeDefinition): void;
  exchangeDeleted(vhost: string, exchange: ExchangeDefinition): void;
  queueDeclared(vhost: string, queue: QueueDefinition): void;
  queueDeleted(vhost: string, queue: QueueDefinition): void;
  bindingAdded(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void;
  bindingRemoved(vhost: string, source: ExchangeDefinition, destination: BindingDestination, routingKey: string, args: FieldTable): void;
}

/**
 * What a protocol layer waits on: begin() before a method that may change topology, take() after
 * it. take() returns the replicated writes that method caused (a promise that rejects with the
 * coded error to send instead of the reply, e.g. 406 when another node declared the name
 * inequivalently first), or undefined when it caused none.
 */
export interface ReplicationWaits {
  begin(): void;
  take(): Promise<void> | undefined;
  /**
   * Resolves once every change written anywhere in the cluster before the call is applied here. A
   * lookup that found nothing (a passive declare, a bind to a missing queue) waits for it and tries
   * once more, so what another node declared before this request is seen here too.
   */
  catchUp(): Promise<void>;
}

/**
 * The cluster's way to a queue that lives on another node (a stub here, options.ownerNode): the
 * router hands it each message routed to such a stub. Set on a vhost's router by the cluster layer;
 * unset, stubs are skipped as before, and a publish that reaches no stub pays nothing.
 */
export interface RemoteForwarder {
  /**
   * Takes the message for the stub's owner node; the ticket, when given, is held until the owner has
   * stored it (synced(false) when it refused it or did not answer). False when the owner is known to
   * be unreachable: the message is not routed there (returned when mandatory, nacked in confirm mode).
   */
  forward(queue: Queue, message: Message, ticket: SyncTicket | undefined): boolean;
  /** How a protocol layer consumes from and settles with such a queue (the owner node does the work). */
  queueRef(queue: Queue): QueueRef;
  /**
   * Where a queue declared here lives: undefined for this node, else the owner node its stub names
   * (the cluster's replicated queues: x-queue-type quorum on JetStream). Asked once, when it is created.
   */
  place?(req: QueuePlacement): string | undefined;
}

/** What placing a new queue looks at. */
export interface QueuePlacement {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
}

/** A field table as text (its AMQP encoding in base64): exact, so equivalence compares what was declared. */
export function tableToText(table: FieldTable): string {
  return encodeTable(table).toString('base64');
}

export function tableFromText(text: string): FieldTable {
  return decodeTable(Buffer.from(text, 'base64'));
}

/**
 * The port between the broker's definitions beyond topology (vhosts with their metadata and
 * limits, users with their hashes, tags and limits, permissions, topic permissions, policies and
 * operator policies) and a cluster layer. The durability listener (src/persistence.ts) calls it
 * after each local change, whichever command made it (the Broker API, the management API, a
 * definitions import): the one seam every such write goes through.
 */
export interface DefinitionsReplicator {
  vhostPut(name: string, meta: VhostMetadata): void;
  vhostDeleted(name: string): void;
  userPut(user: UserRecord): void;
  userDeleted(name: string): void;
  permissionSet(p: VhostPermission): void;
  permissionCleared(user: string, vhost: string): void;
  topicPermissionSet(p: TopicPermission): void;
  topicPermissionCleared(user: string, vhost: string, exchange: string): void;
  policySet(kind: PolicyKindName, policy: PolicyDef): void;
  policyDeleted(kind: PolicyKindName, vhost: string, name: string): void;
  /** The writes asked for so far, settled (true when all landed); undefined when none is pending. */
  settled(): Promise<boolean> | undefined;
}

/**
 * What a cluster layer applies another node's definitions change through (the composition root
 * builds it over the broker's own commands, so a deleted vhost closes its connections, a deleted
 * user its connections, a policy applies to the matching queues). Each call changes the tables
 * before it returns; what follows (closing connections) may run later.
 */
export interface DefinitionsTarget {
  putVhost(name: string, meta: VhostMetadata): void;
  deleteVhost(name: string): void;
  putUser(user: UserRecord): void;
  deleteUser(name: string): void;
  setPermission(p: VhostPermission): void;
  clearPermission(user: string, vhost: string): void;
  setTopicPermission(p: TopicPermission): void;
  clearTopicPermission(user: string, vhost: string, exchange: string): void;
  setPolicy(kind: PolicyKindName, policy: PolicyDef): void;
  deletePolicy(kind: PolicyKindName, vhost: string, name: string): void;
  /** What this node holds, for a join: the ones the cluster does not know yet are written to it. */
  local(): LocalDefinitions;
}

export interface LocalDefinitions {
  readonly vhosts: readonly (readonly [string, VhostMetadata])[];
  readonly users: readonly UserRecord[];
  readonly permissions: readonly VhostPermission[];
  readonly topicPermissions: readonly TopicPermission[];
  readonly policies: readonly (readonly [PolicyKindName, PolicyDef])[];
}
