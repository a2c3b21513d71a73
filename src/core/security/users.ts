import {
  checkPassword,
  DEFAULT_HASHING_ALGORITHM,
  hashingAlgorithm,
  hashPassword,
  hashProblem,
  UNMATCHABLE_HASH,
  type HashingAlgorithm,
} from './password.js';

/** RabbitMQ's tags with a meaning; any other tag is kept as given, as RabbitMQ keeps it. */
export const KNOWN_USER_TAGS = ['administrator', 'monitoring', 'policymaker', 'management', 'impersonator'] as const;

/** Per-user limits (rabbitmqctl set_user_limits); absent means none. */
export interface UserLimits {
  readonly maxConnections?: number;
  readonly maxChannels?: number;
}

/** A user as stored in the definitions log: a hash, never the password. */
export interface UserRecord {
  readonly name: string;
  /** base64(salt ‖ digest); '' for a passwordless user. */
  readonly passwordHash: string;
  readonly hashingAlgorithm: HashingAlgorithm;
  readonly tags: readonly string[];
  /** Warren's form of RabbitMQ's loopback_users: this user may connect from a loopback address only. */
  readonly loopbackOnly: boolean;
  readonly limits: UserLimits;
}

/** What an embedder, the config or a definitions import gives: a password or a hash (neither: passwordless). */
export interface UserInput {
  readonly name: string;
  readonly password?: string;
  readonly passwordHash?: string;
  /** RabbitMQ's module name (rabbit_password_hashing_sha256) or the short form (sha256); only with passwordHash. */
  readonly hashingAlgorithm?: string;
  readonly tags?: readonly string[];
  /** Default: true for guest (RabbitMQ's loopback_users default), else false. */
  readonly loopbackOnly?: boolean;
  readonly limits?: UserLimits;
}

/** A user as the read model and the Broker API show it: no hash. */
export interface UserSnapshot {
  readonly name: string;
  readonly tags: readonly string[];
  readonly passwordless: boolean;
  readonly hashingAlgorithm: HashingAlgorithm;
  readonly loopbackOnly: boolean;
  readonly limits: UserLimits;
}

/** What the durability layer records of users. */
export interface UsersListener {
  userPut(user: UserRecord): void;
  userDeleted(name: string): void;
}

export type LoginResult =
  | { readonly ok: true; readonly user: UserRecord }
  | { readonly ok: false; readonly why: 'unknown-user' | 'wrong-password' | 'passwordless-user' | 'blank-password' };

/** A user input that cannot be stored: the message says what to change. */
export class UserInputError extends Error {}

const MAX_NAME_BYTES = 255; // a shortstr, as the SASL response's user name is read back

/**
 * The broker's users: login checks, and the durable record of every change. One table per broker,
 * passed in (no globals); the listener writes the definitions log and is told nothing on replay.
 */
export class UserStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly listener: UsersListener | undefined;

  constructor(recovered: Iterable<UserRecord>, listener: UsersListener | undefined) {
    for (const user of recovered) this.users.set(user.name, user);
    this.listener = listener;
  }

  /** Creates or replaces a user; returns its snapshot. Throws UserInputError for a bad input. */
  put(input: UserInput): UserSnapshot {
    const record = toRecord(input);
    this.users.set(record.name, record);
    this.listener?.userPut(record);
    return snapshot(record);
  }

  /** Returns false when there was no such user. */
  delete(name: string): boolean {
    if (!this.users.delete(name)) return false;
    this.listener?.userDeleted(name);
    return true;
  }

  get(name: string): UserSnapshot | undefined {
    const user = this.users.get(name);
    return user === undefined ? undefined : snapshot(user);
  }

  /** The stored record, hash included: for the definitions export, never for a log line. */
  record(name: string): UserRecord | undefined {
    return this.users.get(name);
  }

  list(): UserSnapshot[] {
    return [...this.users.values()].map(snapshot);
  }

  has(name: string): boolean {
    return this.users.has(name);
  }

  get size(): number {
    return this.users.size;
  }

  /**
   * A password login, as RabbitMQ's internal backend checks it: a blank password is refused, a
   * passwordless user never logs in with a password, an unknown user costs the same digest as a
   * wrong password (no timing signal for a name probe).
   */
  login(name: string, password: string): LoginResult {
    const user = this.users.get(name);
    if (password === '') return { ok: false, why: 'blank-password' };
    if (user === undefined) {
      checkPassword(UNMATCHABLE_HASH, DEFAULT_HASHING_ALGORITHM, password);
      return { ok: false, why: 'unknown-user' };
    }
    if (user.passwordHash === '') return { ok: false, why: 'passwordless-user' };
    return checkPassword(user.passwordHash, user.hashingAlgorithm, password) ? { ok: true, user } : { ok: false, why: 'wrong-password' };
  }
}

function snapshot(u: UserRecord): UserSnapshot {
  return Object.freeze({
    name: u.name,
    tags: [...u.tags],
    passwordless: u.passwordHash === '',
    hashingAlgorithm: u.hashingAlgorithm,
    loopbackOnly: u.loopbackOnly,
    limits: { ...u.limits },
  });
}

function toRecord(input: UserInput): UserRecord {
  const { name } = input;
  if (typeof name !== 'string' || name === '' || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new UserInputError(`a user name must be 1 to ${MAX_NAME_BYTES} bytes of UTF-8`);
  }
  if (input.password !== undefined && input.passwordHash !== undefined) {
    throw new UserInputError(`user '${name}': give a password or a passwordHash, not both`);
  }
  const algorithm = input.hashingAlgorithm === undefined ? DEFAULT_HASHING_ALGORITHM : hashingAlgorithm(input.hashingAlgorithm);
  if (algorithm === undefined) {
    throw new UserInputError(
      `user '${name}': unknown hashing algorithm '${input.hashingAlgorithm}'; known: rabbit_password_hashing_sha256, rabbit_password_hashing_sha512, rabbit_password_hashing_md5`,
    );
  }
  let passwordHash: string;
  if (input.password !== undefined) {
    if (input.hashingAlgorithm !== undefined && algorithm !== DEFAULT_HASHING_ALGORITHM) {
      throw new UserInputError(`user '${name}': a new password is hashed with ${DEFAULT_HASHING_ALGORITHM}; ${algorithm} is accepted for given hashes only`);
    }
    passwordHash = hashPassword(input.password);
  } else {
    passwordHash = input.passwordHash ?? '';
    const problem = hashProblem(passwordHash, algorithm);
    if (problem !== undefined) throw new UserInputError(`user '${name}': ${problem}`);
  }
  return Object.freeze({
    name,
    passwordHash,
    hashingAlgorithm: algorithm,
    tags: Object.freeze(tagsOf(input.tags)),
    loopbackOnly: input.loopbackOnly ?? name === 'guest',
    limits: Object.freeze(limitsOf(name, input.limits)),
  });
}

function tagsOf(tags: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const tag of tags ?? []) {
    const t = tag.trim();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}

function limitsOf(name: string, limits: UserLimits | undefined): UserLimits {
  const out: { maxConnections?: number; maxChannels?: number } = {};
  for (const key of ['maxConnections', 'maxChannels'] as const) {
    const value = limits?.[key];
    if (value === undefined) continue;
    // RabbitMQ: a negative limit means none; 0 refuses every connection (or channel).
    if (!Number.isSafeInteger(value)) throw new UserInputError(`user '${name}': ${key} must be an integer, got ${String(value)}`);
    if (value >= 0) out[key] = value;
  }
  return out;
}
