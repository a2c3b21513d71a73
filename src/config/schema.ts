import {
  parseBoolean, parseInteger, parseList, parseLogLevel, parseSingle, parseString, checkAddresses, checkUsers, HASHING_ALGORITHM_NAMES, parseUserFlag, parseUsersJson, ParseError, textThrough,
} from './parsers.js';
import { CONTENT_LIMIT_OPTIONS } from './content-limits.js';
import { PERMISSION_OPTIONS, type PermissionConfig, type TopicPermissionConfig } from './permissions-option.js';
export type { PermissionConfig, TopicPermissionConfig } from './permissions-option.js';
import { VHOST_SETTINGS_OPTIONS, type VhostSettingsSeed } from './vhost-settings-option.js';
export type { VhostSettingsConfig } from './vhost-settings-option.js';
import { POLICY_OPTIONS, type PoliciesConfig } from './policies-option.js';
export type { PolicyConfig } from './policies-option.js';
import { LOGIN_OPTIONS } from './login-options.js';
import { DEFINITIONS_OPTIONS, type DefinitionsConfig } from './definitions-option.js';
import { TLS_OPTIONS, type TlsConfig } from './tls-options.js';
import { MANAGEMENT_OPTIONS, type ManagementConfig } from './management-options.js';
import { PROMETHEUS_OPTIONS, type PrometheusConfig } from './prometheus-options.js';
import { CLUSTER_OPTIONS, type ClusterConfig } from './cluster-options.js';
import { QUORUM_OPTIONS, type QuorumConfig } from './quorum-options.js';
import type { OptionDef } from './option-def.js';
import { durationParser, parseSize, parseWatermark, watermarkFromValue, type MemoryWatermark } from './units.js';

export type { UserInput } from './parsers.js';
export type { MemoryWatermark } from './units.js';
export type { CertLoginFrom, TlsConfig, TlsVersion } from './tls-options.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const FSYNC_POLICIES = ['always', 'never'] as const;
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number];
/** auto: pretty on a terminal, JSON lines otherwise (a pipe, a file, journald). */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A user after resolution: exactly one of password and passwordHash; they seed the users store of a new data directory. */
export interface User {
  readonly name: string;
  readonly password?: string;
  readonly passwordHash?: string;
  readonly hashingAlgorithm?: string;
  readonly loopbackOnly: boolean;
  readonly tags: readonly string[];
  readonly limits?: { readonly maxConnections?: number; readonly maxChannels?: number };
}

/** The resolved configuration: every key present, deep-frozen by resolveConfig. */
export interface Config extends TlsConfig, DefinitionsConfig, ManagementConfig, PrometheusConfig, ClusterConfig, QuorumConfig, PoliciesConfig, VhostSettingsSeed {
  readonly port: number;
  readonly bind: readonly string[];
  readonly dataDir: string;
  readonly frameMax: number;
  readonly channelMax: number;
  readonly heartbeat: number;
  readonly handshakeTimeout: number;
  readonly maxMessageSize: number;
  readonly maxHeaderTableEntries: number;
  readonly maxHeaderTableDepth: number;
  readonly maxPropertiesSize: number;
  readonly maxConnections: number;
  readonly consumerTimeout: number;
  readonly users: readonly User[];
  readonly loginFailureDelay: number;
  readonly vhosts: readonly string[];
  /** null: every configured user gets full permissions on every configured vhost (at seeding). */
  readonly permissions: readonly PermissionConfig[] | null;
  /** Seeded with the permissions, at the first start only. */
  readonly topicPermissions: readonly TopicPermissionConfig[];
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly fsync: FsyncPolicy;
  readonly memoryHighWatermark: MemoryWatermark;
  readonly diskFreeLimit: number;
  readonly forceRecovery: boolean;
}

export type { ConfigInput, InputValue, OptionDef } from './option-def.js';

type AnyOption = { [K in keyof Config]: OptionDef<K> }[keyof Config];

const integer = (minimum: number, maximum?: number) =>
  maximum === undefined
    ? ({ type: 'integer', minimum } as const)
    : ({ type: 'integer', minimum, maximum } as const);

const nonEmptyStrings = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } as const;

// The schema of ajv's log-level check and LogLevel come from the same tuple.
const parseLevel = (text: string): LogLevel => parseLogLevel(text) as LogLevel;

const parseSeconds = durationParser(1000, 'seconds');
const parseMilliseconds = durationParser(1, 'milliseconds');

const MIN_ABSOLUTE_WATERMARK = 2 ** 20;

/** Every option, once: the loader, --help, the README table and the JSON schema all read this. */
export const OPTIONS = [
  {
    key: 'port',
    schema: integer(0, 65535),
    default: 5672,
    env: 'WARREN_PORT',
    flag: '--port',
    arg: 'PORT',
    description: 'TCP port for AMQP connections; 0 picks a free port.',
    parse: parseInteger,
  },
  {
    key: 'bind',
    schema: nonEmptyStrings,
    default: ['127.0.0.1', '::1'],
    env: 'WARREN_BIND',
    envFormat: 'comma-separated',
    flag: '--bind',
    arg: 'ADDR[,ADDR]',
    description:
      'IP addresses to listen on; repeatable. Loopback by default because the default guest user may only ' +
      'connect from loopback, as in RabbitMQ; 0.0.0.0 and :: listen on every interface.',
    parse: parseList,
    repeatable: true,
    refine: checkAddresses,
  },
  {
    key: 'dataDir',
    schema: { type: 'string', minLength: 1 },
    default: './data',
    env: 'WARREN_DATA_DIR',
    flag: '--data-dir',
    arg: 'DIR',
    description:
      'Directory for durable definitions and messages, resolved relative to the working directory. ' +
      'startBroker() without a dataDir uses a private temporary directory instead, removed on close().',
    parse: parseString,
  },
  {
    key: 'frameMax',
    schema: integer(4096, 1048576),
    default: 131072,
    env: 'WARREN_FRAME_MAX',
    flag: '--frame-max',
    arg: 'BYTES',
    description: 'Largest frame, in bytes, offered in connection.tune and accepted from clients.',
    parse: parseInteger,
  },
  {
    key: 'channelMax',
    schema: integer(1, 65535),
    default: 2047,
    env: 'WARREN_CHANNEL_MAX',
    flag: '--channel-max',
    arg: 'N',
    description: 'Most channels per connection, offered in connection.tune.',
    parse: parseInteger,
  },
  {
    key: 'heartbeat',
    schema: integer(0, 65535),
    default: 60,
    env: 'WARREN_HEARTBEAT',
    flag: '--heartbeat',
    arg: 'SECONDS|DURATION',
    description:
      'Heartbeat interval offered in connection.tune: seconds, or a duration in whole seconds such as 30s or 1m; 0 turns heartbeats off.',
    parse: parseSeconds,
    fromValue: textThrough(parseSeconds),
  },
  {
    key: 'handshakeTimeout',
    schema: integer(100),
    default: 10000,
    env: 'WARREN_HANDSHAKE_TIMEOUT',
    flag: '--handshake-timeout',
    arg: 'MS|DURATION',
    description: 'Time a new socket has to finish the AMQP handshake: milliseconds, or a duration such as 10s.',
    parse: parseMilliseconds,
    fromValue: textThrough(parseMilliseconds),
  },
  {
    key: 'maxMessageSize',
    schema: integer(1, 536870912),
    default: 134217728,
    env: 'WARREN_MAX_MESSAGE_SIZE',
    flag: '--max-message-size',
    arg: 'BYTES|SIZE',
    description:
      'Largest message body accepted: bytes, or a size such as 16MB or 64MiB; a larger publish closes the channel (PRECONDITION_FAILED).',
    parse: parseSize,
    fromValue: textThrough(parseSize),
  },
  ...CONTENT_LIMIT_OPTIONS,
  ...TLS_OPTIONS,
  ...MANAGEMENT_OPTIONS,
  ...PROMETHEUS_OPTIONS,
  ...CLUSTER_OPTIONS,
  ...QUORUM_OPTIONS,
  {
    key: 'maxConnections',
    schema: integer(1),
    default: 10000,
    env: 'WARREN_MAX_CONNECTIONS',
    flag: '--max-connections',
    arg: 'N',
    description: 'Most concurrent client connections; one beyond it is refused at connection.open with 530 NOT_ALLOWED "connection refused: node connection limit (N) is reached" (RabbitMQ connection_max).',
    parse: parseInteger,
  },
  {
    key: 'consumerTimeout',
    schema: integer(0),
    default: 1800000,
    env: 'WARREN_CONSUMER_TIMEOUT',
    flag: '--consumer-timeout',
    arg: 'MS|DURATION',
    description:
      'How long a consumer may hold an unacknowledged delivery before its channel is closed: milliseconds, or a ' +
      'duration such as 30m; 0 turns the check off.',
    parse: parseMilliseconds,
    fromValue: textThrough(parseMilliseconds),
  },
  {
    key: 'users',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          password: { type: 'string' },
          passwordHash: { type: 'string' },
          hashingAlgorithm: { type: 'string', enum: HASHING_ALGORITHM_NAMES },
          loopbackOnly: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string', minLength: 1 } },
          limits: {
            type: 'object',
            additionalProperties: false,
            properties: { maxConnections: { type: 'integer' }, maxChannels: { type: 'integer' } },
          },
        },
      },
    },
    default: [{ name: 'guest', password: 'guest', loopbackOnly: true, tags: ['administrator'] }],
    env: 'WARREN_USERS',
    envFormat: 'JSON array',
    flag: '--user',
    arg: 'NAME:PASSWORD|NAME:hash:ALGO:BASE64',
    description:
      'Users who seed the users store of a new data directory (as RabbitMQ\'s default user; later starts keep the stored users): ' +
      '{name, password or passwordHash (base64, as rabbitmqctl hash_password gives it; "" for passwordless), hashingAlgorithm ' +
      '(sha256 default; sha512, md5), loopbackOnly (default: true for guest, as RabbitMQ, else false), tags, limits ' +
      '{maxConnections, maxChannels}}. A loopbackOnly user may connect only from a loopback address. --user is repeatable and ' +
      'replaces the default guest user.',
    parse: parseUserFlag,
    parseEnv: parseUsersJson,
    repeatable: true,
    refine: checkUsers,
  },
  ...LOGIN_OPTIONS,
  {
    key: 'vhosts',
    schema: nonEmptyStrings,
    default: ['/'],
    env: 'WARREN_VHOSTS',
    envFormat: 'comma-separated',
    flag: '--vhost',
    arg: 'VHOST',
    description: 'Virtual hosts created at the first start (a new data directory); after that the definitions log holds them (created and deleted at runtime through the Broker API); repeatable.',
    parse: parseSingle,
    parseEnv: parseList,
    repeatable: true,
  },
  ...PERMISSION_OPTIONS,
  ...VHOST_SETTINGS_OPTIONS,
  ...DEFINITIONS_OPTIONS,
  ...POLICY_OPTIONS,
  {
    key: 'logLevel',
    schema: { type: 'string', enum: LOG_LEVELS },
    default: 'info',
    env: 'WARREN_LOG_LEVEL',
    flag: '--log-level',
    arg: 'LEVEL',
    description: `Least severe level logged on stdout: ${LOG_LEVELS.join(', ')}.`,
    parse: parseLevel,
  },
  {
    key: 'logFormat',
    schema: { type: 'string', enum: LOG_FORMATS },
    default: 'auto',
    env: 'WARREN_LOG_FORMAT',
    flag: '--log-format',
    arg: 'FORMAT',
    description:
      'json: one JSON object per line (for journald, Docker, log shippers); pretty: coloured lines for people; ' +
      'auto: pretty when stdout is a terminal, json otherwise.',
    parse: (text: string) => text.trim() as LogFormat,
  },
  {
    key: 'memoryHighWatermark',
    schema: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        relative: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        absolute: { type: 'integer', minimum: MIN_ABSOLUTE_WATERMARK },
      },
    },
    default: { relative: 0.4 },
    env: 'WARREN_MEMORY_HIGH_WATERMARK',
    flag: '--memory-high-watermark',
    arg: 'FRACTION|SIZE',
    description:
      "Memory alarm: a fraction of the machine's memory (0.4) or a size (2GB, 512MiB; at least 1MiB); a bare number " +
      'above 1 is refused. Past it, connections that publish get connection.blocked and are not read until memory ' +
      'falls again; consumers keep draining.',
    parse: parseWatermark,
    fromValue: watermarkFromValue,
  },
  {
    key: 'diskFreeLimit',
    schema: integer(0),
    default: 50_000_000,
    env: 'WARREN_DISK_FREE_LIMIT',
    flag: '--disk-free-limit',
    arg: 'BYTES|SIZE',
    description:
      "Disk alarm: bytes, or a size such as 1GB; when the data directory's filesystem has less free space, publishers are blocked.",
    parse: parseSize,
    fromValue: textThrough(parseSize),
  },
  {
    key: 'fsync',
    schema: { type: 'string', enum: FSYNC_POLICIES },
    default: 'always',
    env: 'WARREN_FSYNC',
    flag: '--fsync',
    arg: 'POLICY',
    description:
      'always: a publisher confirm for a persistent message on a durable queue is sent only after the message ' +
      'is fsynced (survives power loss; many confirms share one fsync). never: confirmed once written to the OS, ' +
      "as RabbitMQ does (survives a broker crash, not a power loss).",
    parse: (text: string) => {
      if (!(FSYNC_POLICIES as readonly string[]).includes(text)) throw new ParseError(`must be one of ${FSYNC_POLICIES.join(', ')}`);
      return text as FsyncPolicy;
    },
  },
  {
    key: 'forceRecovery',
    schema: { type: 'boolean' },
    default: false,
    env: 'WARREN_FORCE_RECOVERY',
    flag: '--force-recovery',
    arg: '[BOOL]',
    description:
      'Start even when a file in the data directory is foreign, damaged in its header or of a newer format (start-up ' +
      'refuses with exit code 5 otherwise): such files are moved to <data-dir>/quarantine/<time>/ and logged at ' +
      'error, never deleted. The flag alone means true.',
    parse: parseBoolean,
  },
] as const satisfies readonly AnyOption[];

export type OptionKey = (typeof OPTIONS)[number]['key'];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Fails to compile when an option is missing from OPTIONS or Config has a key OPTIONS lacks. */
export type OptionsMatchConfig = Assert<Same<OptionKey, keyof Config>>;

/** Meta options: not part of Config. */
export const CONFIG_FILE_FLAG = '--config';
export const CONFIG_FILE_ENV = 'WARREN_CONFIG';
export const ENV_PREFIX = 'WARREN_';
