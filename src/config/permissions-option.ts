import { entriesParser, entryParser } from './parsers.js';

/** One configured permission entry: RabbitMQ's set_permissions -p VHOST USER CONF WRITE READ. */
export interface PermissionConfig {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/** One configured topic permission entry: RabbitMQ's set_topic_permissions -p VHOST USER EXCHANGE WRITE READ. */
export interface TopicPermissionConfig {
  readonly user: string;
  readonly vhost: string;
  readonly exchange: string;
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

const TOPIC_ENTRY_SCHEMA = {
  type: 'object',
  required: ['user', 'vhost', 'exchange', 'write', 'read'],
  additionalProperties: false,
  properties: {
    user: { type: 'string', minLength: 1 },
    vhost: { type: 'string', minLength: 1 },
    exchange: { type: 'string', minLength: 1 },
    write: { type: 'string' },
    read: { type: 'string' },
  },
} as const;

const FIELDS = '"user","vhost","configure","write","read"';
const TOPIC_FIELDS = '"user","vhost","exchange","write","read"';

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
    parse: entryParser<PermissionConfig>(FIELDS),
    parseEnv: entriesParser<PermissionConfig>(FIELDS),
    repeatable: true,
  },
  {
    key: 'topicPermissions',
    schema: { type: 'array', items: TOPIC_ENTRY_SCHEMA },
    default: [],
    env: 'WARREN_TOPIC_PERMISSIONS',
    envFormat: 'JSON array',
    flag: '--topic-permission',
    arg: 'JSON',
    description:
      'Topic permissions set at the first start (a new data directory), beside permissions: {user, vhost, exchange, ' +
      "write, read}, two PCRE patterns matched against routing keys (publish) and binding keys (bind) on that topic " +
      "exchange, as RabbitMQ's set_topic_permissions ({username}, {vhost} and {client_id} are expanded). None by " +
      'default, which allows every key. After that the definitions log holds them; repeatable.',
    parse: entryParser<TopicPermissionConfig>(TOPIC_FIELDS),
    parseEnv: entriesParser<TopicPermissionConfig>(TOPIC_FIELDS),
    repeatable: true,
  },
] as const;
