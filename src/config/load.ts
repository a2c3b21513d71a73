import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { helpText } from './help.js';
import { ParseError, type UserInput } from './parsers.js';
import {
  CONFIG_FILE_ENV,
  CONFIG_FILE_FLAG,
  ENV_PREFIX,
  OPTIONS,
  type Config,
  type ConfigInput,
  type OptionDef,
  type OptionKey,
  type User,
} from './schema.js';
import { didYouMean } from './suggest.js';
import { checkTlsCombination, resolveTlsPaths } from './tls-options.js';
import { checkManagementTls, resolveManagementTlsPaths } from './management-tls-options.js';
import { check, ConfigError, describe, KEYS, type SourceLabels } from './validate.js';

export { ConfigError } from './validate.js';
export { helpText } from './help.js';
export type { Config, ConfigInput, LogFormat, MemoryWatermark, User, UserInput } from './schema.js';

const ALL = OPTIONS as readonly OptionDef[];
const BY_KEY = new Map(ALL.map((option) => [option.key, option]));
const BY_FLAG = new Map(ALL.map((option) => [option.flag, option]));
const BY_ENV = new Map(ALL.map((option) => [option.env, option]));
const HELP_FLAGS = new Set(['-h', '--help']);
const VERSION_FLAGS = new Set(['-V', '--version']);
const KNOWN_FLAGS = [...BY_FLAG.keys(), CONFIG_FILE_FLAG, '--help', '--version'];
const KNOWN_ENV_SUFFIXES = [...BY_ENV.keys(), CONFIG_FILE_ENV].map((name) => name.slice(ENV_PREFIX.length));

const quoteJson = (name: string): string => JSON.stringify(name);
const plain = (name: string): string => name;

const FLAG_LABELS: SourceLabels = { where: '', label: (key) => flagOf(key), quote: plain };
const ENV_LABELS: SourceLabels = { where: '', label: (key) => envOf(key), quote: plain };

function option(key: OptionKey): OptionDef {
  // Every OptionKey is in OPTIONS by construction (see OptionsMatchConfig).
  return BY_KEY.get(key)!;
}

function flagOf(key: OptionKey): string {
  return option(key).flag;
}

function envOf(key: OptionKey): string {
  return option(key).env;
}

function sourceLabels(source: string | undefined): SourceLabels {
  return source === undefined
    ? { where: '', label: (key) => key, quote: quoteJson }
    : { where: `${source}: `, label: (key) => `${source}: ${key}`, quote: quoteJson };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function normalizeUser(user: UserInput): User {
  const secret =
    user.passwordHash === undefined
      ? { password: user.password }
      : { passwordHash: user.passwordHash, ...(user.hashingAlgorithm === undefined ? {} : { hashingAlgorithm: user.hashingAlgorithm }) };
  return {
    name: user.name,
    ...secret,
    // RabbitMQ's loopback_users default names guest: a guest user is loopback-only unless told otherwise.
    loopbackOnly: user.loopbackOnly ?? user.name === 'guest',
    tags: [...(user.tags ?? [])],
    ...(user.limits === undefined ? {} : { limits: { ...user.limits } }),
  };
}

/**
 * Defaults plus validation; unknown keys fail. Returns a new deep-frozen Config (the input is not
 * touched), so an embedder may pass an already-resolved Config back in. `source` names the origin
 * in error messages, e.g. `config file /etc/warren.json`. dataDir becomes absolute against
 * process.cwd() here; loadConfig resolves it against its own cwd first.
 */
export function resolveConfig(input: ConfigInput, source?: string): Config {
  const labels = sourceLabels(source);
  const given = normalize(input, labels) as ConfigInput;
  check(given, labels);
  const value = (key: OptionKey): unknown => given[key] ?? option(key).default;
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const v = value(key);
    out[key] = Array.isArray(v) ? [...(v as readonly unknown[])] : v;
  }
  out['users'] = (value('users') as readonly UserInput[]).map(normalizeUser);
  refine(out, labels);
  const tls = checkTlsCombination(out as unknown as Config) ?? checkManagementTls(out as unknown as Config);
  if (tls !== undefined) throw new ConfigError(`${labels.where}${tls}`);
  out['dataDir'] = resolvePath(value('dataDir') as string);
  resolveTlsPaths(out, process.cwd());
  resolveManagementTlsPaths(out, process.cwd());
  return deepFreeze(out as unknown as Config);
}

/**
 * Values written in a config file or by an embedder, in the form the schema checks: strings with
 * units become numbers. Returns a new object (or the input when it is not an object, for check()
 * to refuse).
 */
function normalize(input: unknown, labels: SourceLabels): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const out: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const [key, value] of Object.entries(out)) {
    const def = BY_KEY.get(key as OptionKey);
    if (def?.fromValue === undefined || value === undefined) continue;
    out[key] = withLabel(() => def.fromValue!(value), labels.label(def.key));
  }
  return out;
}

/** Checks the schema cannot express, after it passed. */
function refine(values: Record<string, unknown>, labels: SourceLabels): void {
  for (const [key, value] of Object.entries(values)) {
    const def = BY_KEY.get(key as OptionKey);
    if (def?.refine === undefined || value === undefined) continue;
    withLabel(() => (def.refine as (v: unknown) => void)(value), labels.label(def.key));
  }
}

function withLabel<T>(fn: () => T, label: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ParseError) throw new ConfigError(`${label}: ${err.message}`);
    throw err;
  }
}

type FlagResult =
  | { help: true }
  | { version: true }
  | { help: false; values: Record<string, unknown>; configFile: string | undefined };

function parseArgv(argv: readonly string[]): FlagResult {
  const values: Record<string, unknown> = {};
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('-') || token === '-' || token === '--') {
      throw new ConfigError(`unexpected argument ${JSON.stringify(token)}; options start with --`);
    }
    const eq = token.indexOf('=');
    const name = token.startsWith('--') && eq > 0 ? token.slice(0, eq) : token;
    let inline = name === token ? undefined : token.slice(eq + 1);
    if (HELP_FLAGS.has(name) || VERSION_FLAGS.has(name)) {
      if (inline !== undefined) throw new ConfigError(`${name} takes no value`);
      return HELP_FLAGS.has(name) ? { help: true } : { version: true };
    }
    const def = BY_FLAG.get(name as OptionDef['flag']);
    if (def === undefined && name !== CONFIG_FILE_FLAG) {
      throw new ConfigError(`unknown option ${name}${didYouMean(name, KNOWN_FLAGS)}`);
    }
    if (inline === undefined && def?.schema['type'] === 'boolean' && !/^(true|false|1|0|yes|no)$/i.test(argv[i + 1] ?? '')) {
      inline = 'true'; // a bare boolean flag: --force-recovery
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      // `--port --bind x` is a forgotten value, not a port called "--bind"; `--data-dir=--x` still works.
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`${name}: missing value`);
      inline = next;
      i++;
    }
    if (def === undefined) {
      configFile = inline;
      continue;
    }
    const parsed = parseWith(def.parse, inline, name);
    const previous = values[def.key];
    values[def.key] =
      def.repeatable === true && Array.isArray(previous) ? [...previous, ...(parsed as unknown[])] : parsed;
  }
  return { help: false, values, configFile };
}

function parseWith(parse: (text: string) => unknown, text: string, label: string): unknown {
  return withLabel(() => parse(text), label);
}

function readEnv(env: Readonly<Record<string, string | undefined>>): { values: Record<string, unknown>; warnings: string[] } {
  const values: Record<string, unknown> = {};
  const warnings: string[] = [];
  const kubernetes: string[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (text === undefined || !name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV) continue;
    if (isKubernetesServiceVariable(name, text)) {
      kubernetes.push(name);
      continue;
    }
    const def = BY_ENV.get(name as OptionDef['env']);
    if (def === undefined) {
      // Compare without the shared prefix, or every WARREN_* name looks close to every other.
      const hint = didYouMean(name.slice(ENV_PREFIX.length), KNOWN_ENV_SUFFIXES, (s) => ENV_PREFIX + s);
      // A warning, not an error: the environment is shared with other programs (and a typo still shows).
      warnings.push(`ignoring unknown environment variable ${name}${hint}`);
      continue;
    }
    values[def.key] = parseWith(def.parseEnv ?? def.parse, text, name);
  }
  if (kubernetes.length > 0) {
    warnings.push(
      `ignoring ${kubernetes.length} Kubernetes service variable${kubernetes.length === 1 ? '' : 's'} ` +
        `(${kubernetes.sort().join(', ')}): a Service named warren puts them in every pod of its namespace; ` +
        'they are not Warren options (enableServiceLinks: false in the pod spec turns them off)',
    );
  }
  return { values, warnings };
}

/**
 * Kubernetes' docker-links style variables for a Service named warren: WARREN_SERVICE_HOST,
 * WARREN_SERVICE_PORT[_NAME], WARREN_PORT=tcp://ip:port and WARREN_PORT_5672_TCP[_ADDR|_PORT|_PROTO].
 * WARREN_PORT is also Warren's own option: only a URL value is Kubernetes'.
 */
function isKubernetesServiceVariable(name: string, value: string): boolean {
  if (name === 'WARREN_SERVICE_HOST' || name === 'WARREN_SERVICE_PORT' || name.startsWith('WARREN_SERVICE_PORT_')) return true;
  if (name === 'WARREN_PORT') return /^(tcp|udp|sctp):\/\//i.test(value.trim());
  return /^WARREN_PORT_\d+_(TCP|UDP|SCTP)(_ADDR|_PORT|_PROTO)?$/.test(name);
}

function readConfigFile(path: string, readFile: (path: string) => string): { source: string; values: unknown } {
  const source = `config file ${path}`;
  let text: string;
  try {
    text = readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigError(`${source}: cannot read: ${reason}`, { cause: err });
  }
  try {
    return { source, values: JSON.parse(text) as unknown };
  } catch (err) {
    throw new ConfigError(`${source}: invalid JSON: ${(err as Error).message}`);
  }
}

export type LoadResult =
  | { readonly help: true; readonly text: string }
  | { readonly help: false; readonly version: true }
  | { readonly help: false; readonly version?: false; readonly config: Config; readonly warnings: readonly string[] };

/**
 * CLI > env > file > default. Returns {help: true, text} for --help, {version: true} for --version,
 * else the config and warnings to log (ignored environment variables). Throws ConfigError.
 */
export function loadConfig(opts: {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  readFile?: (path: string) => string;
}): LoadResult {
  const flags = parseArgv(opts.argv);
  if ('version' in flags) return { help: false, version: true };
  if (flags.help) return { help: true, text: helpText() };
  const cwd = opts.cwd ?? process.cwd();
  check(flags.values, FLAG_LABELS);
  refine(flags.values, FLAG_LABELS);
  const { values: env, warnings } = readEnv(opts.env);
  check(env, ENV_LABELS);
  refine(env, ENV_LABELS);

  let file: Record<string, unknown> = {};
  const configPath = flags.configFile ?? opts.env[CONFIG_FILE_ENV];
  if (configPath !== undefined) {
    const absolute = resolvePath(cwd, configPath);
    const { source, values } = readConfigFile(absolute, opts.readFile ?? ((p) => readFileSync(p, 'utf8')));
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new ConfigError(`${source}: must be a JSON object of options (got ${describe(values)})`);
    }
    const labels = sourceLabels(source);
    file = normalize(values, labels) as Record<string, unknown>;
    check(file, labels);
    refine(file, labels);
  }

  const merged: Record<string, unknown> = { ...file, ...env, ...flags.values };
  // Relative to the caller's cwd, which need not be the process's (tests, embedders).
  merged['dataDir'] = resolvePath(cwd, (merged['dataDir'] as string | undefined) ?? (option('dataDir').default as string));
  resolveTlsPaths(merged, cwd);
  resolveManagementTlsPaths(merged, cwd);
  return { help: false, config: resolveConfig(merged as ConfigInput), warnings };
}
