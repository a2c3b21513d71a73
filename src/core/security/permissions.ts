import { compilePattern, type PermissionPattern } from './pcre-pattern.js';

/** RabbitMQ's three permissions on a resource. */
export type Permission = 'configure' | 'write' | 'read';

/** A user's permissions in a vhost: three PCRE patterns, matched against resource names. */
export interface VhostPermission {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/** A user's topic permissions on one exchange of a vhost: patterns matched against routing keys. */
export interface TopicPermission {
  readonly user: string;
  readonly vhost: string;
  readonly exchange: string;
  readonly write: string;
  readonly read: string;
}

/** Where permission changes go to be durable (the definitions log). */
export interface PermissionListener {
  permissionSet(p: VhostPermission): void;
  permissionCleared(user: string, vhost: string): void;
  topicPermissionSet(p: TopicPermission): void;
  topicPermissionCleared(user: string, vhost: string, exchange: string): void;
}

export interface CompiledPermission {
  readonly entry: VhostPermission;
  readonly configure: PermissionPattern;
  readonly write: PermissionPattern;
  readonly read: PermissionPattern;
}

export interface CompiledTopicPermission {
  readonly entry: TopicPermission;
  /** Patterns still holding {username}, {vhost}, {client_id}: checked at set time, expanded per connection. */
  readonly write: string;
  readonly read: string;
}

/**
 * Permissions per (user, vhost) and topic permissions per (user, vhost, exchange), as RabbitMQ
 * keeps them. Every change bumps `generation`: access caches (core/security/access.ts) compare it
 * before trusting a cached decision, so a change applies to the next operation of every channel.
 * Patterns are compiled when set: one JS cannot read as PCRE does is refused then (PatternError),
 * never at check time.
 */
export class PermissionStore {
  private readonly byUser = new Map<string, Map<string, CompiledPermission>>();
  private readonly topics = new Map<string, Map<string, Map<string, CompiledTopicPermission>>>();
  private changes = 0;
  listener: PermissionListener | undefined;

  /** Grows with every change. */
  get generation(): number {
    return this.changes;
  }

  /** Sets (replaces) a user's permissions in a vhost. Throws PatternError for a refused pattern. */
  set(p: VhostPermission): void {
    const entry = Object.freeze({ user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read });
    const compiled = { entry, configure: compilePattern(p.configure), write: compilePattern(p.write), read: compilePattern(p.read) };
    this.listener?.permissionSet(entry); // first: if it throws, nothing changed
    let vhosts = this.byUser.get(p.user);
    if (vhosts === undefined) this.byUser.set(p.user, (vhosts = new Map()));
    vhosts.set(p.vhost, compiled);
    this.changes++;
  }

  /** Removes a user's permissions in a vhost (the user can no longer open it); false when there were none. */
  clear(user: string, vhost: string): boolean {
    const vhosts = this.byUser.get(user);
    if (vhosts?.has(vhost) !== true) return false;
    this.listener?.permissionCleared(user, vhost);
    vhosts.delete(vhost);
    if (vhosts.size === 0) this.byUser.delete(user);
    this.changes++;
    return true;
  }

  get(user: string, vhost: string): CompiledPermission | undefined {
    return this.byUser.get(user)?.get(vhost);
  }

  /** A user can open a vhost when it has a permission entry there, whatever its patterns. */
  hasAccess(user: string, vhost: string): boolean {
    return this.byUser.get(user)?.has(vhost) === true;
  }

  list(filter: { readonly user?: string; readonly vhost?: string } = {}): VhostPermission[] {
    const out: VhostPermission[] = [];
    for (const [user, vhosts] of this.byUser) {
      if (filter.user !== undefined && user !== filter.user) continue;
      for (const [vhost, p] of vhosts) if (filter.vhost === undefined || vhost === filter.vhost) out.push(p.entry);
    }
    return out;
  }

  /** Sets (replaces) a user's topic permissions on an exchange. Throws PatternError for a refused pattern. */
  setTopic(p: TopicPermission): void {
    const entry = Object.freeze({ user: p.user, vhost: p.vhost, exchange: p.exchange, write: p.write, read: p.read });
    // Checked with the variables as written: '{username}' is a literal in PCRE and in JS.
    compilePattern(p.write);
    compilePattern(p.read);
    this.listener?.topicPermissionSet(entry);
    let vhosts = this.topics.get(p.user);
    if (vhosts === undefined) this.topics.set(p.user, (vhosts = new Map()));
    let exchanges = vhosts.get(p.vhost);
    if (exchanges === undefined) vhosts.set(p.vhost, (exchanges = new Map()));
    exchanges.set(p.exchange, { entry, write: p.write, read: p.read });
    this.changes++;
  }

  /** Clears one exchange's topic permissions, or all of the user's in the vhost; returns how many went. */
  clearTopic(user: string, vhost: string, exchange?: string): number {
    const exchanges = this.topics.get(user)?.get(vhost);
    if (exchanges === undefined) return 0;
    const names = exchange === undefined ? [...exchanges.keys()] : exchanges.has(exchange) ? [exchange] : [];
    for (const name of names) {
      this.listener?.topicPermissionCleared(user, vhost, name);
      exchanges.delete(name);
    }
    if (exchanges.size === 0) this.topics.get(user)?.delete(vhost);
    if (this.topics.get(user)?.size === 0) this.topics.delete(user);
    if (names.length > 0) this.changes++;
    return names.length;
  }

  /** The user's topic permissions in a vhost by exchange; undefined when it has none there. */
  topicsOf(user: string, vhost: string): ReadonlyMap<string, CompiledTopicPermission> | undefined {
    return this.topics.get(user)?.get(vhost);
  }

  listTopic(filter: { readonly user?: string; readonly vhost?: string } = {}): TopicPermission[] {
    const out: TopicPermission[] = [];
    for (const [user, vhosts] of this.topics) {
      if (filter.user !== undefined && user !== filter.user) continue;
      for (const [vhost, exchanges] of vhosts) {
        if (filter.vhost !== undefined && vhost !== filter.vhost) continue;
        for (const p of exchanges.values()) out.push(p.entry);
      }
    }
    return out;
  }

  /**
   * A vhost went: its permissions go with it, as in RabbitMQ. No records are written: replaying
   * the vhost's deletion drops them from the log too.
   */
  vhostDeleted(vhost: string): void {
    for (const [user, vhosts] of this.byUser) if (vhosts.delete(vhost) && vhosts.size === 0) this.byUser.delete(user);
    for (const [user, vhosts] of this.topics) if (vhosts.delete(vhost) && vhosts.size === 0) this.topics.delete(user);
    this.changes++;
  }

  /** A user went: its permissions go with it (for the user store; records are the caller's). */
  userDeleted(user: string): void {
    this.byUser.delete(user);
    this.topics.delete(user);
    this.changes++;
  }

  /** Loads entries recovered from the log without writing them again. Throws PatternError like set. */
  restore(permissions: Iterable<VhostPermission>, topics: Iterable<TopicPermission>): void {
    const listener = this.listener;
    this.listener = undefined;
    try {
      for (const p of permissions) this.set(p);
      for (const t of topics) this.setTopic(t);
    } finally {
      this.listener = listener;
    }
  }
}
