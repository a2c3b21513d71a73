import {
  parseInteger,
  parseList,
  parseLogLevel,
  parseSingle,
  parseString,
  parseUserFlag,
  parseUsersJson,
  ParseError,
  type UserInput,
} from './parsers.js';

export type { UserInput } from './parsers.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const FSYNC_POLICIES = ['always', 'never'] as const;
export type FsyncPolicy = (typeof FSYNC_POLICIES)[number];

/** A user after resolution: every field present. */
export interface User {
  readonly name: string;
  readonly password: string;
  readonly loopbackOnly: boolean;
  readonly tags: readonly string[];
}

/** The resolved configuration: every key present, deep-frozen by resolveConfig. */
export interface Config {
  readonly port: number;
  readonly bind: readonly string[];
  readonly dataDir: string;
  readonly frameMax: number;
  readonly channelMax: number;
  readonly heartbeat: number;
  readonly handshakeTimeout: number;
  readonly maxMessageSize: number;
  readonly maxConnections: number;
  readonly consumerTimeout: number;
  readonly users: readonly User[];
  readonly vhosts: readonly string[];
  readonly logLevel: LogLevel;
  readonly fsync: FsyncPolicy;
  readonly memoryHighWatermark: number;
  readonly diskFreeLimit: number;
}

type InputValue<K extends keyof Config> = K extends 'users' ? readonly UserInput[] : Config[K];

/** What a config file, env, flags or an embedder may give: any subset; users' optional fields may be left out. */
export type ConfigInput = { readonly [K in keyof Config]?: InputValue<K> };

export interface OptionDef<K extends keyof Config = keyof Config> {
  readonly key: K;
  /** JSON-schema fragment for ajv; ranges live here, not in the parsers. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly default: Config[K];
  readonly env: `WARREN_${string}`;
  /** How the env value is written, when it is not a plain value. */
  readonly envFormat?: string;
  readonly flag: `--${string}`;
  /** Placeholder for the flag's value in --help. */
  readonly arg: string;
  readonly description: string;
  /** Parses one flag occurrence, and the env value unless parseEnv is given. */
  readonly parse: (text: string) => InputValue<K>;
  readonly parseEnv?: (text: string) => InputValue<K>;
  /** Repeated flags concatenate (array options); otherwise the last one wins. */
  readonly repeatable?: boolean;
}

type AnyOption = { [K in keyof Config]: OptionDef<K> }[keyof Config];

const integer = (minimum: number, maximum?: number) =>
  maximum === undefined
    ? ({ type: 'integer', minimum } as const)
    : ({ type: 'integer', minimum, maximum } as const);

const nonEmptyStrings = { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } } as const;

// The schema of ajv's log-level check and LogLevel come from the same tuple.
const parseLevel = (text: string): LogLevel => parseLogLevel(text) as LogLevel;

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
      'Addresses to listen on; repeatable. Loopback by default because the default guest user may only ' +
      'connect from loopback, as in RabbitMQ; 0.0.0.0 and :: listen on every interface.',
    parse: parseList,
    repeatable: true,
  },
  {
    key: 'dataDir',
    schema: { type: 'string', minLength: 1 },
    default: './data',
    env: 'WARREN_DATA_DIR',
    flag: '--data-dir',
    arg: 'DIR',
    description: 'Directory for durable definitions and messages, resolved relative to the working directory.',
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
    arg: 'SECONDS',
    description: 'Heartbeat interval offered in connection.tune, in seconds; 0 turns heartbeats off.',
    parse: parseInteger,
  },
  {
    key: 'handshakeTimeout',
    schema: integer(100),
    default: 10000,
    env: 'WARREN_HANDSHAKE_TIMEOUT',
    flag: '--handshake-timeout',
    arg: 'MS',
    description: 'Time a new socket has to finish the AMQP handshake, in milliseconds.',
    parse: parseInteger,
  },
  {
    key: 'maxMessageSize',
    schema: integer(1, 536870912),
    default: 134217728,
    env: 'WARREN_MAX_MESSAGE_SIZE',
    flag: '--max-message-size',
    arg: 'BYTES',
    description: 'Largest message body accepted, in bytes; a larger publish closes the channel (PRECONDITION_FAILED).',
    parse: parseInteger,
  },
  {
    key: 'maxConnections',
    schema: integer(1),
    default: 10000,
    env: 'WARREN_MAX_CONNECTIONS',
    flag: '--max-connections',
    arg: 'N',
    description: 'Most concurrent client connections; one beyond it is refused after login with 530 NOT_ALLOWED "connection limit (N) reached".',
    parse: parseInteger,
  },
  {
    key: 'consumerTimeout',
    schema: integer(0),
    default: 1800000,
    env: 'WARREN_CONSUMER_TIMEOUT',
    flag: '--consumer-timeout',
    arg: 'MS',
    description:
      'How long a consumer may hold an unacknowledged delivery before its channel is closed, in milliseconds; 0 turns the check off.',
    parse: parseInteger,
  },
  {
    key: 'users',
    schema: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'password'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          password: { type: 'string' },
          loopbackOnly: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
    default: [{ name: 'guest', password: 'guest', loopbackOnly: true, tags: [] }],
    env: 'WARREN_USERS',
    envFormat: 'JSON array',
    flag: '--user',
    arg: 'NAME:PASSWORD',
    description:
      'Users who may log in: {name, password, loopbackOnly (default: true for guest, as RabbitMQ, else false), tags}. A loopbackOnly user may ' +
      'connect only from a loopback address. --user is repeatable and replaces the default guest user.',
    parse: parseUserFlag,
    parseEnv: parseUsersJson,
    repeatable: true,
  },
  {
    key: 'vhosts',
    schema: nonEmptyStrings,
    default: ['/'],
    env: 'WARREN_VHOSTS',
    envFormat: 'comma-separated',
    flag: '--vhost',
    arg: 'VHOST',
    description: 'Virtual hosts that exist at start; repeatable.',
    parse: parseSingle,
    parseEnv: parseList,
    repeatable: true,
  },
  {
    key: 'logLevel',
    schema: { type: 'string', enum: LOG_LEVELS },
    default: 'info',
    env: 'WARREN_LOG_LEVEL',
    flag: '--log-level',
    arg: 'LEVEL',
    description: `Least severe level logged, as JSON lines on stdout: ${LOG_LEVELS.join(', ')}.`,
    parse: parseLevel,
  },
  {
    key: 'memoryHighWatermark',
    schema: { type: 'number', exclusiveMinimum: 0 },
    default: 0.4,
    env: 'WARREN_MEMORY_HIGH_WATERMARK',
    flag: '--memory-high-watermark',
    arg: 'FRACTION|BYTES',
    description:
      'Memory alarm: up to 1, a fraction of the machine\'s memory; above 1, bytes. Past it, connections that publish ' +
      'get connection.blocked and are not read until memory falls again; consumers keep draining.',
    parse: (text: string) => {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw new ParseError(`not a number: ${JSON.stringify(text)}`);
      return n;
    },
  },
  {
    key: 'diskFreeLimit',
    schema: integer(0),
    default: 50_000_000,
    env: 'WARREN_DISK_FREE_LIMIT',
    flag: '--disk-free-limit',
    arg: 'BYTES',
    description: 'Disk alarm: when the data directory\'s filesystem has less free space, publishers are blocked.',
    parse: parseInteger,
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
