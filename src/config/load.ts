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
import { check, ConfigError, describe, KEYS, type SourceLabels } from './validate.js';

export { ConfigError } from './validate.js';
export { helpText } from './help.js';
export type { Config, ConfigInput, User, UserInput } from './schema.js';

const ALL = OPTIONS as readonly OptionDef[];
const BY_KEY = new Map(ALL.map((option) => [option.key, option]));
const BY_FLAG = new Map(ALL.map((option) => [option.flag, option]));
const BY_ENV = new Map(ALL.map((option) => [option.env, option]));
const HELP_FLAGS = new Set(['-h', '--help']);
const KNOWN_FLAGS = [...BY_FLAG.keys(), CONFIG_FILE_FLAG, '--help'];
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
  return {
    name: user.name,
    password: user.password,
    // RabbitMQ's loopback_users default names guest: a guest user is loopback-only unless told otherwise.
    loopbackOnly: user.loopbackOnly ?? user.name === 'guest',
    tags: [...(user.tags ?? [])],
  };
}

/**
 * Defaults plus validation; unknown keys fail. Returns a new deep-frozen Config (the input is not
 * touched), so an embedder may pass an already-resolved Config back in. `source` names the origin
 * in error messages, e.g. `config file /etc/warren.json`. dataDir becomes absolute against
 * process.cwd() here; loadConfig resolves it against its own cwd first.
 */
export function resolveConfig(input: ConfigInput, source?: string): Config {
  check(input, sourceLabels(source));
  const value = (key: OptionKey): unknown => input[key] ?? option(key).default;
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const v = value(key);
    out[key] = Array.isArray(v) ? [...(v as readonly unknown[])] : v;
  }
  out['users'] = (value('users') as readonly UserInput[]).map(normalizeUser);
  out['dataDir'] = resolvePath(value('dataDir') as string);
  return deepFreeze(out as unknown as Config);
}

type FlagResult = { help: true } | { help: false; values: Record<string, unknown>; configFile: string | undefined };

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
    if (HELP_FLAGS.has(name)) {
      if (inline !== undefined) throw new ConfigError(`${name} takes no value`);
      return { help: true };
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
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof ParseError) throw new ConfigError(`${label}: ${err.message}`);
    throw err;
  }
}

function readEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(env)) {
    if (text === undefined || !name.startsWith(ENV_PREFIX) || name === CONFIG_FILE_ENV) continue;
    const def = BY_ENV.get(name as OptionDef['env']);
    if (def === undefined) {
      // Compare without the shared prefix, or every WARREN_* name looks close to every other.
      const hint = didYouMean(name.slice(ENV_PREFIX.length), KNOWN_ENV_SUFFIXES, (s) => ENV_PREFIX + s);
      throw new ConfigError(`unknown environment variable ${name}${hint}`);
    }
    values[def.key] = parseWith(def.parseEnv ?? def.parse, text, name);
  }
  return values;
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

/** CLI > env > file > default. Returns {help: true, text} for --help. Throws ConfigError. */
export function loadConfig(opts: {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
  readFile?: (path: string) => string;
}): { help: true; text: string } | { help: false; config: Config } {
  const flags = parseArgv(opts.argv);
  if (flags.help) return { help: true, text: helpText() };
  const cwd = opts.cwd ?? process.cwd();
  check(flags.values, FLAG_LABELS);
  const env = readEnv(opts.env);
  check(env, ENV_LABELS);

  let file: Record<string, unknown> = {};
  const configPath = flags.configFile ?? opts.env[CONFIG_FILE_ENV];
  if (configPath !== undefined) {
    const absolute = resolvePath(cwd, configPath);
    const { source, values } = readConfigFile(absolute, opts.readFile ?? ((p) => readFileSync(p, 'utf8')));
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      throw new ConfigError(`${source}: must be a JSON object of options (got ${describe(values)})`);
    }
    check(values, sourceLabels(source));
    file = values as Record<string, unknown>;
  }

  const merged: Record<string, unknown> = { ...file, ...env, ...flags.values };
  // Relative to the caller's cwd, which need not be the process's (tests, embedders).
  merged['dataDir'] = resolvePath(cwd, (merged['dataDir'] as string | undefined) ?? (option('dataDir').default as string));
  return { help: false, config: resolveConfig(merged as ConfigInput) };
}
