import type { Config, User } from './config/schema.js';
import { ConfigError } from './config/load.js';
import { vhostMetadata } from './core/vhost-meta.js';
import { UserInputError, UserStore, type UserInput, type UserRecord, type UserSnapshot } from './core/security/users.js';
import type { Persistence } from './persistence.js';
import type { UserDef } from './store/definitions-store.js';
import type { Logger } from './util/logger.js';

/** What the first start of a data directory seeded: the configured users and the vhosts there were then (permissions: broker-access.ts). */
export interface Seeded {
  readonly users: readonly string[];
  readonly vhosts: readonly string[];
}

/** The configured user as the users store takes it: the plain password is hashed there, never kept. */
export function userInput(user: User): UserInput {
  const { name, password, passwordHash, hashingAlgorithm, tags, loopbackOnly, limits } = user;
  return { name, password, passwordHash, hashingAlgorithm, tags, loopbackOnly, limits };
}

/** Refuses, before anything starts, a configured user the store would refuse (a hash of the wrong size). */
/** Each vhostSettings entry names a configured vhost and holds values RabbitMQ would take; a ConfigError otherwise. */
export function checkVhostSettings(config: Pick<Config, 'vhosts' | 'vhostSettings'>): void {
  for (const settings of config.vhostSettings) {
    if (!config.vhosts.includes(settings.name)) {
      throw new ConfigError(`vhostSettings: vhost '${settings.name}' is not one of vhosts (${config.vhosts.join(', ')})`);
    }
    try {
      vhostMetadata(settings.name, settings);
    } catch (err) {
      if (err instanceof RangeError) throw new ConfigError(`vhostSettings: ${err.message}`);
      throw err;
    }
  }
}

export function checkConfiguredUsers(users: readonly User[]): void {
  const scratch = new UserStore([], undefined);
  for (const user of users) {
    try {
      scratch.put(userInput(user));
    } catch (err) {
      if (err instanceof UserInputError) throw new ConfigError(`users: ${err.message}`);
      throw err;
    }
  }
}

/**
 * The users store from the definitions log. The configured users seed it once per data directory
 * (its first start, or the first start of a release with a users store), as RabbitMQ's default
 * user: after that the log is the truth and configured users are ignored (logged when they differ).
 */
export function openUsers(
  recovered: ReadonlyMap<string, UserDef>,
  seededBefore: boolean,
  config: { readonly users: readonly User[]; readonly vhosts: readonly string[] },
  vhosts: readonly string[],
  persistence: Persistence,
  logger: Logger,
): { store: UserStore; seeded: Seeded | undefined } {
  const store = new UserStore(recovered.values() as Iterable<UserRecord>, persistence);
  if (seededBefore) {
    const ignored = config.users.filter((u) => !store.has(u.name)).map((u) => u.name);
    if (ignored.length > 0) {
      logger.info(
        { event: 'users.config-ignored', users: ignored },
        `configured users not created (${ignored.join(', ')}): this data directory's users store was seeded at its first start and is kept`,
      );
    }
    return { store, seeded: undefined };
  }
  for (const user of config.users) store.put(userInput(user));
  persistence.usersSeeded();
  const seeded: Seeded = { users: config.users.map((u) => u.name), vhosts };
  logger.info({ event: 'users.seeded', users: seeded.users }, `users store seeded with ${seeded.users.join(', ') || 'no users'}`);
  return { store, seeded };
}

/** The Broker API's users: plain snapshots (never a hash); changes resolve once on disk. */
export interface BrokerUsers {
  /** Creates or replaces a user from a password, a hash or neither (passwordless); throws UserInputError for a bad input. */
  put(input: UserInput): Promise<UserSnapshot>;
  /** Deletes a user and closes its connections with 320 CONNECTION_FORCED "user '<name>' is deleted"; false when there is none. */
  delete(name: string): Promise<boolean>;
  get(name: string): UserSnapshot | undefined;
  list(): UserSnapshot[];
}

export function brokerUsers(
  store: UserStore,
  whenSynced: () => Promise<void>,
  closeUserConnections: (user: string, reason: string) => Promise<void>,
  /** Drops the deleted user's permissions (RabbitMQ deletes them with the user). */
  userDeleted: (user: string) => void,
  logger: Logger,
): BrokerUsers {
  return {
    put: async (input) => {
      const user = store.put(input);
      logger.info({ event: 'user.put', user: user.name, tags: user.tags }, `user '${user.name}' created or updated`);
      await whenSynced();
      return user;
    },
    delete: async (name) => {
      if (!store.delete(name)) return false;
      userDeleted(name);
      logger.info({ event: 'user.deleted', user: name }, `user '${name}' deleted; closing its connections`);
      await closeUserConnections(name, `user '${name}' is deleted`);
      await whenSynced();
      return true;
    },
    get: (name) => store.get(name),
    list: () => store.list(),
  };
}
