import { amqpError } from '../../errors/index.js';
import type { Principal } from '../principal.js';
import { compilePattern, type PermissionPattern } from './pcre-pattern.js';
import type { CompiledPermission, CompiledTopicPermission, Permission, PermissionStore } from './permissions.js';

/** Decisions kept per permission and principal; a full map starts over (names are client-chosen). */
const MAX_CACHED = 1024;

export type ResourceKind = 'exchange' | 'queue';

/** The default exchange is checked under this name, as RabbitMQ does. */
export const DEFAULT_EXCHANGE_RESOURCE = 'amq.default';

/** RabbitMQ's text (rabbit_access_control): `<perm> access to <kind> '<name>' in vhost '<vhost>' refused for user '<user>'`. */
export function accessRefused(perm: string, kind: string, name: string, vhost: string, user: string): Error {
  return amqpError('WARREN_PERMISSION_REFUSED', `${perm} access to ${kind} '${name}' in vhost '${vhost}' refused for user '${user}'`);
}

/** RabbitMQ's text for a topic permission: the key, then the exchange (4.x names the permission, as above). */
export function topicAccessRefused(perm: string, routingKey: string, exchange: string, vhost: string, user: string): Error {
  return amqpError(
    'WARREN_PERMISSION_REFUSED',
    `${perm} access to topic '${routingKey}' in exchange '${exchange}' in vhost '${vhost}' refused for user '${user}'`,
  );
}

/**
 * The broker's access control: the permission store, and one decision cache per principal
 * (weakly held: it goes with its connection).
 */
export class AccessControl {
  readonly store: PermissionStore;
  private readonly caches = new WeakMap<Principal, PrincipalAccess>();
  /** A user's tags (administrator, impersonator, ...): read at each use, so a change applies at once. */
  private readonly tagsOf: UserTags;

  constructor(store: PermissionStore, tagsOf: UserTags) {
    this.store = store;
    this.tagsOf = tagsOf;
  }

  /** connection.open: a user may use a vhost when it has a permission entry there. */
  canOpen(user: string, vhost: string): boolean {
    return this.store.hasAccess(user, vhost);
  }

  /**
   * The decisions of one principal. clientId is what `{client_id}` expands to in topic
   * permissions; without one the placeholder stays literal text, as RabbitMQ leaves it for
   * AMQP 0-9-1 connections.
   */
  forPrincipal(principal: Principal, clientId?: string): PrincipalAccess {
    let access = this.caches.get(principal);
    if (access === undefined) {
      access = new PrincipalAccess(this.store, principal, clientId, this.tagsOf);
      this.caches.set(principal, access);
    }
    return access;
  }
}

/** Where tags come from (the configured users today; the user store once there is one). */
export type UserTags = (user: string) => readonly string[];

interface TopicDecisions {
  /** undefined: no topic permission on this exchange, so everything is allowed (RabbitMQ). */
  readonly pattern: PermissionPattern | undefined;
  readonly keys: Map<string, boolean>;
}

/**
 * One principal's access decisions, cached by resource name per permission. A cached decision is
 * used only while the store's generation is the one it was made under: any permission change
 * empties the cache at the next check, so it applies to the next operation on every channel
 * (RabbitMQ keeps a per-channel cache until the channel closes). In the steady state a check is a
 * generation compare and a Map lookup: no regex per publish.
 */
export class PrincipalAccess {
  private readonly store: PermissionStore;
  readonly principal: Principal;
  private readonly clientId: string | undefined;
  /** The broker acting on its own behalf (recovery, operator commands) is never checked. */
  private readonly unchecked: boolean;
  private generation = -1;
  private entry: CompiledPermission | undefined;
  private readonly decisions: Record<Permission, Map<string, boolean>> = { configure: new Map(), write: new Map(), read: new Map() };
  /** The resource (exchange or queue name) `write` was last allowed on, under `generation`; refresh() forgets it. */
  private lastWrite: string | undefined;
  private topicEntries: ReadonlyMap<string, CompiledTopicPermission> | undefined;
  private readonly topicDecisions: Record<'write' | 'read', Map<string, TopicDecisions>> = { write: new Map(), read: new Map() };

  private readonly tagsOf: UserTags;

  constructor(store: PermissionStore, principal: Principal, clientId: string | undefined, tagsOf: UserTags) {
    this.store = store;
    this.principal = principal;
    this.clientId = clientId;
    this.tagsOf = tagsOf;
    this.unchecked = principal.connectionId === '';
  }

  /** RabbitMQ's impersonator tag: may publish with any user_id (validated user-ID). Read when asked. */
  get impersonator(): boolean {
    return this.tagsOf(this.principal.user).includes('impersonator');
  }

  /** Throws 403 ACCESS_REFUSED with RabbitMQ's text unless the principal holds perm on the resource. */
  check(perm: Permission, kind: ResourceKind, name: string): void {
    if (this.unchecked) return;
    const resource = kind === 'exchange' && name === '' ? DEFAULT_EXCHANGE_RESOURCE : name;
    // A channel publishes to the same exchange over and over: the last one allowed, under this generation, is one compare.
    if (perm === 'write' && resource === this.lastWrite && this.generation === this.store.generation) return;
    if (!this.allowed(perm, resource)) throw accessRefused(perm, kind, resource, this.principal.vhost, this.principal.user);
    if (perm === 'write') this.lastWrite = resource;
  }

  /**
   * A passive declare: any one of read, write or configure on the resource, so a user without any
   * access to a name cannot probe whether it exists (rabbit_channel:check_any_resource_access_permitted,
   * RabbitMQ 4.2.7 and 4.3.1, rabbitmq-server#16085). Refused with the configure text, as a
   * regular declare is (RabbitMQ tries configure last for that reason).
   */
  checkAny(kind: ResourceKind, name: string): void {
    if (this.unchecked) return;
    const resource = kind === 'exchange' && name === '' ? DEFAULT_EXCHANGE_RESOURCE : name;
    if (this.allowed('read', resource) || this.allowed('write', resource) || this.allowed('configure', resource)) return;
    throw accessRefused('configure', kind, resource, this.principal.vhost, this.principal.user);
  }

  /** Whether the principal's pattern for perm matches the name (cached). */
  allowed(perm: Permission, name: string): boolean {
    if (this.generation !== this.store.generation) this.refresh();
    const cache = this.decisions[perm];
    let decision = cache.get(name);
    if (decision === undefined) {
      decision = this.entry !== undefined && this.entry[perm].test(name);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(name, decision);
    }
    return decision;
  }

  /**
   * Topic permissions (topic exchanges only; the caller checks the type): the routing key (publish,
   * write) or binding key (bind, read) against the user's pattern for that exchange, with
   * {username}, {vhost} and {client_id} expanded. No entry for the exchange allows everything.
   */
  checkTopic(perm: 'write' | 'read', exchange: string, routingKey: string): void {
    if (this.unchecked) return;
    if (this.generation !== this.store.generation) this.refresh();
    if (this.topicEntries === undefined) return;
    const byExchange = this.topicDecisions[perm];
    let decisions = byExchange.get(exchange);
    if (decisions === undefined) {
      const entry = this.topicEntries.get(exchange);
      decisions = { pattern: entry === undefined ? undefined : this.expand(entry[perm]), keys: new Map() };
      if (byExchange.size >= MAX_CACHED) byExchange.clear();
      byExchange.set(exchange, decisions);
    }
    if (decisions.pattern === undefined) return;
    let allowed = decisions.keys.get(routingKey);
    if (allowed === undefined) {
      allowed = decisions.pattern.test(routingKey);
      if (decisions.keys.size >= MAX_CACHED) decisions.keys.clear();
      decisions.keys.set(routingKey, allowed);
    }
    if (!allowed) throw topicAccessRefused(perm, routingKey, exchange, this.principal.vhost, this.principal.user);
  }

  private refresh(): void {
    this.generation = this.store.generation;
    this.lastWrite = undefined;
    this.entry = this.store.get(this.principal.user, this.principal.vhost);
    this.topicEntries = this.store.topicsOf(this.principal.user, this.principal.vhost);
    for (const cache of Object.values(this.decisions)) cache.clear();
    for (const cache of Object.values(this.topicDecisions)) cache.clear();
  }

  /**
   * RabbitMQ substitutes the values as they are (binary:replace), not escaped: a user name with a
   * dot matches any character there, in both. A substituted pattern JS cannot read as PCRE
   * denies (it never allows by accident).
   */
  private expand(pattern: string): PermissionPattern {
    let text = pattern.split('{username}').join(this.principal.user).split('{vhost}').join(this.principal.vhost);
    if (this.clientId !== undefined) text = text.split('{client_id}').join(this.clientId);
    try {
      return compilePattern(text);
    } catch {
      return { source: text, test: () => false };
    }
  }
}
