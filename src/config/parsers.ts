import { isIP } from 'node:net';

/**
 * Parsers from one env value or one flag occurrence to an option's value. They check
 * shape only (is it an integer, is the list empty); ranges are ajv's job, so a bad value
 * gets the same message whatever its source.
 */

/** Thrown by a parser; the loader prefixes the source (`--port`, `WARREN_PORT`). */
export class ParseError extends Error {}

/** A configured user: a plain password (hashed when it seeds the store), or a RabbitMQ password hash. */
export interface UserInput {
  readonly name: string;
  readonly password?: string;
  /** base64(4-byte salt ‖ digest), as rabbitmqctl hash_password and RabbitMQ's definitions give it; '' for passwordless. */
  readonly passwordHash?: string;
  readonly hashingAlgorithm?: string;
  readonly loopbackOnly?: boolean;
  readonly tags?: readonly string[];
  readonly limits?: { readonly maxConnections?: number; readonly maxChannels?: number };
}

/** RabbitMQ's hashing modules and their short forms, as --user NAME:hash:ALGO:BASE64 and the JSON accept them. */
export const HASHING_ALGORITHM_NAMES = [
  'rabbit_password_hashing_sha256',
  'rabbit_password_hashing_sha512',
  'rabbit_password_hashing_md5',
  'sha256',
  'sha512',
  'md5',
] as const;

const INTEGER = /^[+-]?\d+$/;

export function parseInteger(text: string): number {
  const trimmed = text.trim();
  // Number() alone accepts '', '0x10', '1e3' and ' '; a port or a size is plain decimal.
  if (!INTEGER.test(trimmed)) throw new ParseError(`not an integer: ${JSON.stringify(text)}`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value)) throw new ParseError(`integer out of range: ${JSON.stringify(text)}`);
  return value;
}

/** true/false, as flags and env vars write them; a bare flag (no value) means true. */
export function parseBoolean(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1' || t === 'yes') return true;
  if (t === 'false' || t === '0' || t === 'no') return false;
  throw new ParseError(`expected true or false, got ${JSON.stringify(text)}`);
}

export function parseString(text: string): string {
  return text;
}

export function parseLogLevel(text: string): string {
  return text.trim();
}

/** `a,b, c` -> ['a', 'b', 'c']; an empty item is a typo, not a wish. */
export function parseList(text: string): readonly string[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) {
    throw new ParseError(`empty item in comma-separated list: ${JSON.stringify(text)}`);
  }
  return items;
}

/** One value, kept whole: a vhost name may contain a comma. */
export function parseSingle(text: string): readonly string[] {
  return [text];
}

/**
 * `name:password`, the password being everything after the first colon (so it may contain colons),
 * or `name:hash:ALGO:BASE64` for a password hash (ALGO sha256, sha512 or md5). A plain password that
 * itself starts with `hash:` goes in the JSON form instead. The text is never echoed in an error:
 * it holds a password.
 */
export function parseUserFlag(text: string): readonly UserInput[] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new ParseError('expected NAME:PASSWORD or NAME:hash:ALGO:BASE64 (value not shown: it holds a password)');
  const name = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  if (!rest.startsWith('hash:')) return [{ name, password: rest }];
  const [algorithm, hash, ...more] = rest.slice('hash:'.length).split(':');
  if (algorithm === undefined || hash === undefined || more.length > 0 || !(HASHING_ALGORITHM_NAMES as readonly string[]).includes(algorithm)) {
    throw new ParseError(`user ${JSON.stringify(name)}: expected NAME:hash:ALGO:BASE64 with ALGO one of sha256, sha512, md5`);
  }
  return [{ name, passwordHash: hash, hashingAlgorithm: algorithm }];
}

/** A user needs a password or a hash (an empty hash: passwordless), not both. */
export function checkUsers(users: readonly UserInput[]): void {
  for (const user of users) {
    const given = (user.password === undefined ? 0 : 1) + (user.passwordHash === undefined ? 0 : 1);
    if (given !== 1) {
      throw new ParseError(
        `user ${JSON.stringify(user.name)}: give exactly one of "password" or "passwordHash" ("passwordHash": "" makes a passwordless user)`,
      );
    }
    if (user.hashingAlgorithm !== undefined && user.passwordHash === undefined) {
      throw new ParseError(`user ${JSON.stringify(user.name)}: "hashingAlgorithm" goes with "passwordHash" (a password is hashed with sha256)`);
    }
  }
}

/** A JSON array of users; its shape is checked by the schema afterwards. */
export function parseUsersJson(text: string): readonly UserInput[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ParseError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(value)) {
    throw new ParseError('expected a JSON array of {"name", "password" or "passwordHash", "hashingAlgorithm"?, "loopbackOnly"?, "tags"?, "limits"?}');
  }
  return value as readonly UserInput[];
}

/** Strings from a file or an embedder go through the flag's parser; anything else is the schema's to judge. */
export const textThrough =
  (parse: (text: string) => unknown) =>
  (value: unknown): unknown =>
    typeof value === 'string' ? parse(value) : value;

/** Every address must be an IP address: a host name or a typo fails here, not at listen(). */
export function checkAddresses(addresses: readonly string[]): void {
  for (const address of addresses) {
    if (isIP(address) !== 0) continue;
    const spaced = /\s/.test(address.trim()) ? '; separate several addresses with commas' : '';
    throw new ParseError(
      `${JSON.stringify(address)} is not an IP address${spaced}: write IPv4 or IPv6 addresses such as 127.0.0.1, ::1, ` +
        '0.0.0.0 (every IPv4 interface) or :: (every interface)',
    );
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ParseError(`expected ${what}, got ${JSON.stringify(text)}`);
  }
}

/** One entry (a repeatable flag's value); the schema checks its fields. */
export function entryParser<T>(fields: string): (text: string) => readonly T[] {
  return (text) => [parseJson(text, `a JSON object {${fields}}`) as T];
}

/** A JSON array of entries (the env var). */
export function entriesParser<T>(fields: string): (text: string) => readonly T[] {
  return (text) => {
    const value = parseJson(text, `a JSON array of {${fields}}`);
    if (!Array.isArray(value)) throw new ParseError('expected a JSON array');
    return value as T[];
  };
}
