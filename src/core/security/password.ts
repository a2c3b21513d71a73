import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * RabbitMQ's password hashes (rabbit_password.erl): base64(salt ‖ H(salt ‖ UTF-8 password)) with a
 * 4-byte random salt. New hashes use SHA-256, RabbitMQ's default; SHA-512 and MD5 hashes are
 * accepted as given (definitions imported from older brokers). A hash of '' is a passwordless user:
 * no password ever matches it, as in RabbitMQ (only a mechanism without a password, such as
 * EXTERNAL, can log it in).
 */
export const HASHING_ALGORITHMS = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
} as const;

export type HashingAlgorithm = keyof typeof HASHING_ALGORITHMS;

export const DEFAULT_HASHING_ALGORITHM: HashingAlgorithm = 'rabbit_password_hashing_sha256';

const SALT_BYTES = 4;
const DIGEST_BYTES: Readonly<Record<HashingAlgorithm, number>> = {
  rabbit_password_hashing_sha256: 32,
  rabbit_password_hashing_sha512: 64,
  rabbit_password_hashing_md5: 16,
};

/** Accepts RabbitMQ's module names and the short forms (`sha256`); undefined for anything else. */
export function hashingAlgorithm(name: string): HashingAlgorithm | undefined {
  if (Object.hasOwn(HASHING_ALGORITHMS, name)) return name as HashingAlgorithm;
  const long = `rabbit_password_hashing_${name}`;
  return Object.hasOwn(HASHING_ALGORITHMS, long) ? (long as HashingAlgorithm) : undefined;
}

function digest(algorithm: HashingAlgorithm, salt: Buffer, password: string): Buffer {
  return createHash(HASHING_ALGORITHMS[algorithm]).update(salt).update(password, 'utf8').digest();
}

/** A new salted hash of a plain password, base64 as RabbitMQ's definitions carry it. */
export function hashPassword(password: string, algorithm: HashingAlgorithm = DEFAULT_HASHING_ALGORITHM): string {
  const salt = randomBytes(SALT_BYTES);
  return Buffer.concat([salt, digest(algorithm, salt, password)]).toString('base64');
}

/**
 * Why a given hash cannot be stored, or undefined when it can: base64 of a salt and a digest of
 * the algorithm's size, or '' (passwordless).
 */
export function hashProblem(hash: string, algorithm: HashingAlgorithm): string | undefined {
  if (hash === '') return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(hash) || hash.length % 4 !== 0) return 'the password hash is not base64';
  const bytes = Buffer.from(hash, 'base64').length;
  const want = SALT_BYTES + DIGEST_BYTES[algorithm];
  return bytes === want ? undefined : `a ${algorithm} password hash is ${want} bytes (4 of salt, then the digest), got ${bytes}`;
}

/**
 * Whether the password matches the hash, in time that does not depend on where they differ
 * (crypto.timingSafeEqual). A passwordless hash ('') never matches.
 */
export function checkPassword(hash: string, algorithm: HashingAlgorithm, password: string): boolean {
  const stored = Buffer.from(hash, 'base64');
  if (stored.length !== SALT_BYTES + DIGEST_BYTES[algorithm]) return false;
  const computed = digest(algorithm, stored.subarray(0, SALT_BYTES), password);
  return timingSafeEqual(computed, stored.subarray(SALT_BYTES));
}

/** A hash no password matches, of the default size: an unknown user costs the same digest as a known one. */
export const UNMATCHABLE_HASH = Buffer.alloc(SALT_BYTES + DIGEST_BYTES[DEFAULT_HASHING_ALGORITHM]).toString('base64');
