import { ParseError } from './parsers.js';

/** One configured permission entry: RabbitMQ's set_permissions -p VHOST USER CONF WRITE READ. */
export interface PermissionConfig {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

const ENTRY_SCHEMA = {
  type: 'object',
  required: ['user', 'vhost', 'configure', 'write', 'read'],
  additionalProperties: false,
  properties: {
    user: { type: 'string', minLength: 1 },
    vhost: { type: 'string', minLength: 1 },
    configure: { type: 'string' },
    write: { type: 'string' },
    read: { type: 'string' },
  },
} as const;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ParseError(`expected ${what}, got ${JSON.stringify(text)}`);
  }
}

function parseEntry(text: string): readonly PermissionConfig[] {
  const value = parseJson(text, 'a JSON object {"user","vhost","configure","write","read"}');
  return [value as PermissionConfig];
}

function parseEntries(text: string): readonly PermissionConfig[] {
  const value = parseJson(text, 'a JSON array of {"user","vhost","configure","write","read"}');
  if (!Array.isArray(value)) throw new ParseError('expected a JSON array');
  return value as PermissionConfig[];
}

/**
 * Permissions seed a data directory's definitions log once, as RabbitMQ's default user gets its
 * permissions on the default vhost: null (the default) gives every configured user ".*" ".*" ".*"
 * on every configured vhost. The patterns are checked when the broker starts (core decides what
 * a pattern means).
 */
export const PERMISSION_OPTIONS = [
  {
    key: 'permissions',
    schema: { anyOf: [{ type: 'null' }, { type: 'array', items: ENTRY_SCHEMA }] },
    default: null,
    env: 'WARREN_PERMISSIONS',
    envFormat: 'JSON array',
    flag: '--permission',
    arg: 'JSON',
    description:
      'Permissions set at the first start (a new data directory): {user, vhost, configure, write, read}, three PCRE ' +
      'patterns as RabbitMQ\'s set_permissions. Not given: every configured user gets ".*" ".*" ".*" on every ' +
      'configured vhost. After that the definitions log holds them (the Broker API changes them); repeatable.',
    parse: parseEntry,
    parseEnv: parseEntries,
    repeatable: true,
  },
] as const;
