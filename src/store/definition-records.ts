/** The definitions log's record and state types (what definitions-store.ts writes, replays and compacts). */
import type { UserDef, VhostMeta } from './user-records.js';
import type { PermissionRecord, PermissionState } from './permission-records.js';
import type { PolicyRecord, PolicyState } from './policy-records.js';
import type { SchemaRecord, SchemaState } from './schema-records.js';
import type { ParameterRecord, ParameterState } from './parameter-records.js';

/** Field tables travel as base64 of their AMQP encoding, so types survive exactly. */
export interface ExchangeDef {
  readonly vhost: string;
  readonly name: string;
  readonly type: string;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: string;
}
export interface QueueDef {
  readonly vhost: string;
  readonly name: string;
  readonly autoDelete: boolean;
  readonly arguments: string;
}
export interface BindingDef {
  readonly vhost: string;
  readonly source: string;
  readonly destination: string;
  readonly destinationKind: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly arguments: string;
}


export type DefinitionRecord =
  | ({ readonly op: 'put-vhost'; readonly name: string } & VhostMeta)
  | ({ readonly op: 'put-user' } & UserDef)
  | { readonly op: 'del-user'; readonly name: string }
  /** The configured users seeded this log once: later starts never seed again, even with no users left. */
  | { readonly op: 'users-seeded' }
  /** Removes the vhost and whatever of it is still recorded (its queues' and exchanges' own deletions come first). */
  | { readonly op: 'del-vhost'; readonly name: string }
  | ({ readonly op: 'put-exchange' } & ExchangeDef)
  | ({ readonly op: 'del-exchange' } & Deletion)
  | ({ readonly op: 'put-queue' } & QueueDef)
  | ({ readonly op: 'del-queue' } & Deletion)
  | ({ readonly op: 'put-binding' } & BindingDef)
  | ({ readonly op: 'del-binding' } & BindingDef)
  | PermissionRecord
  | PolicyRecord
  | SchemaRecord
  | ParameterRecord;

/**
 * A deleted queue or exchange. `dir` (relative to the data directory) is its message directory,
 * removed only after this record is on disk. Records of earlier releases lack it and get the
 * name the directory always had; an optional JSON field needs no new format version (an older
 * reader ignores it).
 */
export interface Deletion {
  readonly vhost: string;
  readonly name: string;
  readonly dir?: string;
}

export interface Definitions {
  readonly vhosts: Set<string>;
  readonly vhostMeta: Map<string, VhostMeta>;
  readonly users: Map<string, UserDef>;
  usersSeeded: boolean;
  readonly exchanges: Map<string, ExchangeDef>;
  readonly queues: Map<string, QueueDef>;
  readonly bindings: Map<string, BindingDef>;
  /**
   * Message directories whose queue (or delayed exchange) the log records as deleted and not
   * declared again: the only directories the start-up sweep may delete. Kept through compaction
   * for as long as the directory exists, so a crash in the middle of the sweep loses the evidence
   * of nothing.
   */
  readonly deletedDirs: Map<string, { readonly op: 'del-queue' | 'del-exchange' } & Deletion>;
  /** Users' permissions and topic permissions (store/permission-records.ts). */
  readonly access: PermissionState;
  /** Policies and operator policies (store/policy-records.ts). */
  readonly policies: PolicyState;
  /** JSON Schemas registered by name (store/schema-records.ts). */
  readonly schemas: SchemaState;
  /** Runtime parameters other than vhost-limits (store/parameter-records.ts). */
  readonly parameters: ParameterState;
}
