import type { PolicyInput, PolicySnapshot } from '../core/policy/policy-definition.js';
import type { TopicPermission, VhostPermission } from '../core/security/permissions.js';
import type { UserInput, UserLimits } from '../core/security/users.js';
import type { VhostLimits, VhostMetadataInput } from '../core/vhost-meta.js';

/** broker.policies or broker.operatorPolicies, as the management API uses them. */
export interface PolicyOps {
  /** Throws PolicyError (400 with RabbitMQ's text, 404 for an unknown vhost). */
  set(vhost: string, name: string, input: PolicyInput): Promise<PolicySnapshot>;
  delete(vhost: string, name: string): Promise<boolean>;
  get(vhost: string, name: string): PolicySnapshot | undefined;
  list(vhost?: string): readonly PolicySnapshot[];
}

/** A registered JSON Schema: the schema as JSON and the exchanges that name it. */
export interface SchemaView {
  readonly vhost: string;
  readonly name: string;
  readonly schema: unknown;
  readonly exchanges: readonly string[];
}

/** broker.schemas as the management API uses it. */
export interface SchemaOps {
  /** true when created. Throws an Error with status 400 (ajv's reason), 404 or 409 (in use) and reason. */
  set(vhost: string, name: string, schema: unknown): Promise<boolean>;
  delete(vhost: string, name: string): Promise<boolean>;
  get(vhost: string, name: string): SchemaView | undefined;
  list(vhost?: string): readonly SchemaView[];
}

/**
 * The broker's write side for the management API's users, vhosts, permissions, limits, policies and
 * definitions (PUT/DELETE/POST of /api/vhosts, users, permissions, topic-permissions, user-limits,
 * vhost-limits, policies, operator-policies, parameters, definitions). Built by the composition root
 * (src/broker-management-access.ts) over the Broker API; every change resolves once it is on disk.
 */
export interface AccessOps {
  /**
   * Creates (true) or updates (false) a vhost; RangeError for a value Warren refuses. A new vhost gives
   * the acting user full permissions on it, as RabbitMQ's put_vhost (maybe_grant_full_permissions).
   */
  putVhost(name: string, meta: VhostMetadataInput, actingUser: string): Promise<boolean>;
  /** Closes its connections with 320, then deletes it; false when there is none. */
  deleteVhost(name: string): Promise<boolean>;
  /**
   * Creates (true) or replaces (false) a user. An existing user keeps its limits unless given, and
   * its loopback-only flag. UserInputError for a bad input.
   */
  putUser(input: UserInput): Promise<boolean>;
  /** Deletes the user (its permissions go, its connections are closed with 320); false when there is none. */
  deleteUser(name: string): Promise<boolean>;
  /** Sets a permission: true when there was none. Error for an unknown user or vhost, PatternError for a bad pattern. */
  setPermission(p: VhostPermission): Promise<boolean>;
  clearPermission(user: string, vhost: string): Promise<boolean>;
  topicPermissions(filter?: { readonly user?: string; readonly vhost?: string }): readonly TopicPermission[];
  /** true when the user had no topic permissions in the vhost (RabbitMQ's 201), false otherwise (204). */
  setTopicPermission(p: TopicPermission): Promise<boolean>;
  /** One exchange's, or all of the user's in the vhost; how many went. */
  clearTopicPermissions(user: string, vhost: string, exchange?: string): Promise<number>;
  /** Replaces the user's limits; false when there is no such user. */
  setUserLimits(user: string, limits: UserLimits): Promise<boolean>;
  /** Replaces the vhost's limits; false when there is no such vhost. */
  setVhostLimits(vhost: string, limits: VhostLimits): Promise<boolean>;
  readonly policies: PolicyOps;
  readonly operatorPolicies: PolicyOps;
  /** JSON Schemas registered by name (Warren's /api/schemas). */
  readonly schemas: SchemaOps;
  /** RabbitMQ's export (DefinitionsError for an unknown vhost). */
  exportDefinitions(vhost?: string): Record<string, unknown>;
  /** RabbitMQ's import of a parsed document or its text (DefinitionsError: nothing changed). */
  importDefinitions(doc: unknown, vhost?: string): Promise<void>;
}
