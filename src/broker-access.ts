import type { UserStore } from './core/security/users.js';
import type { Config } from './config/load.js';
import { ConfigError } from './config/load.js';
import { AccessControl } from './core/security/access.js';
import { PatternError } from './core/security/pcre-pattern.js';
import { PermissionStore, type TopicPermission, type VhostPermission } from './core/security/permissions.js';
import type { Persistence } from './persistence.js';
import type { PermissionState } from './store/permission-records.js';

/**
 * Who the users are, for permissions: whether a name is a user, and its tags. The configured users
 * today; the durable user store plugs in here.
 */
export interface UserDirectory {
  has(user: string): boolean;
  tags(user: string): readonly string[];
}

export function storedUsers(users: UserStore): UserDirectory {
  return {
    has: (user) => users.has(user),
    tags: (user) => users.record(user)?.tags ?? [],
  };
}

/** broker.permissions: RabbitMQ's set_permissions / clear_permissions / list_permissions. */
export interface PermissionsApi {
  /**
   * Sets (replaces) a user's configure/write/read patterns in a vhost; resolves once recorded on
   * disk. Rejects with a PatternError for a pattern JS cannot read as PCRE does, and an Error for
   * an unknown user or vhost. Applies to the next operation of every open channel.
   */
  set(p: VhostPermission): Promise<void>;
  /** Removes them (new connections of the user to the vhost get 530); false when there were none. */
  clear(user: string, vhost: string): Promise<boolean>;
  list(filter?: { readonly user?: string; readonly vhost?: string }): VhostPermission[];
}

/** broker.topicPermissions: set_topic_permissions / clear_topic_permissions / list_topic_permissions. */
export interface TopicPermissionsApi {
  set(p: TopicPermission): Promise<void>;
  /** One exchange's, or all of the user's in the vhost without exchange; resolves to how many went. */
  clear(user: string, vhost: string, exchange?: string): Promise<number>;
  list(filter?: { readonly user?: string; readonly vhost?: string }): TopicPermission[];
}

export interface BrokerAccess {
  readonly access: AccessControl;
  readonly permissions: PermissionsApi;
  readonly topicPermissions: TopicPermissionsApi;
}

const FULL = { configure: '.*', write: '.*', read: '.*' } as const;

/** The `permissions` and `topicPermissions` options, into a log never seeded. */
/**
 * Before anything is created: every `permissions` and `topicPermissions` entry names a configured
 * user (RabbitMQ's definitions import refuses a permission for a missing user too, no_such_user).
 * Checked on the config as a whole, as vhostSettings is, so a refused first start seeds nothing.
 */
export function checkPermissionUsers(config: Pick<Config, 'users' | 'permissions' | 'topicPermissions'>): void {
  const configured = new Set(config.users.map((u) => u.name));
  const entries = [...(config.permissions ?? []).map((p) => ['permissions', p] as const), ...config.topicPermissions.map((p) => ['topicPermissions', p] as const)];
  for (const [option, p] of entries) {
    if (configured.has(p.user)) continue;
    throw new ConfigError(`${option}: no user '${p.user}' (in vhost '${p.vhost}'); configure it in users (--user ${p.user}:PASSWORD) or remove the entry`);
  }
}

function seedPermissions(config: Config, store: PermissionStore, vhosts: ReadonlyMap<string, unknown>): void {
  const seeding = (option: string, p: { readonly user: string; readonly vhost: string }, set: () => void): void => {
    if (!vhosts.has(p.vhost)) throw new ConfigError(`${option}: no vhost '${p.vhost}' (for user '${p.user}')`);
    try {
      set();
    } catch (err) {
      if (err instanceof PatternError) throw new ConfigError(`${option}: ${err.message}`);
      throw err;
    }
  };
  const seed = config.permissions ?? config.users.flatMap((u) => [...vhosts.keys()].map((vhost) => ({ user: u.name, vhost, ...FULL })));
  for (const p of seed) seeding('permissions', p, () => store.set(p));
  for (const p of config.topicPermissions) seeding('topicPermissions', p, () => store.setTopic(p));
}

/**
 * Loads the permissions the log holds; a log never seeded (a new data directory, or one written
 * before permissions existed) is seeded from the `permissions` option, or, without it, with full
 * permissions for every configured user on every vhost, and from the `topicPermissions` option (RabbitMQ's default user on the default
 * vhost, extended so that what worked before keeps working).
 */
export function setUpAccess(
  config: Config,
  state: PermissionState,
  persistence: Persistence,
  vhosts: ReadonlyMap<string, unknown>,
  users: UserDirectory,
): BrokerAccess {
  const store = new PermissionStore();
  try {
    store.restore(state.permissions.values(), state.topicPermissions.values());
  } catch (err) {
    if (err instanceof PatternError) throw new ConfigError(`definitions log: ${err.message}`);
    throw err;
  }
  store.listener = persistence;
  if (!state.seeded) {
    seedPermissions(config, store, vhosts);
    persistence.permissionsSeeded();
  }
  const synced = (): Promise<void> =>
    new Promise((resolve) => {
      if (!persistence.whenDefinitionsSynced(persistence.definitionsMark(), () => resolve())) resolve();
    });
  const known = (user: string, vhost: string): void => {
    if (!users.has(user)) throw new Error(`no user '${user}'`);
    if (!vhosts.has(vhost)) throw new Error(`no vhost '${vhost}'`);
  };
  return {
    access: new AccessControl(store, (user) => users.tags(user)),
    permissions: {
      set: async (p) => {
        known(p.user, p.vhost);
        store.set(p);
        await synced();
      },
      clear: async (user, vhost) => {
        const cleared = store.clear(user, vhost);
        await synced();
        return cleared;
      },
      list: (filter) => store.list(filter),
    },
    topicPermissions: {
      set: async (p) => {
        known(p.user, p.vhost);
        store.setTopic(p);
        await synced();
      },
      clear: async (user, vhost, exchange) => {
        const n = store.clearTopic(user, vhost, exchange);
        await synced();
        return n;
      },
      list: (filter) => store.listTopic(filter),
    },
  };
}
