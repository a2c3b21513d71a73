import { Ajv, type ErrorObject } from 'ajv';
import { OPTIONS, type OptionKey } from './schema.js';
import { didYouMean } from './suggest.js';

/** A configuration problem a user can fix; the message names the option and where it came from. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** How one source names an option: `--port`, `WARREN_PORT`, `config file /x.json: port`. */
export interface SourceLabels {
  /** Prefix for problems not tied to a known key (unknown options), or '' for none. */
  readonly where: string;
  readonly label: (key: OptionKey) => string;
  /** How an unknown key and its suggestion are quoted. */
  readonly quote: (name: string) => string;
}

export const KEYS: readonly OptionKey[] = OPTIONS.map((option) => option.key);

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(OPTIONS.map((option) => [option.key, option.schema])),
} as const;

// Compiled once per process: it is pure code generated from the constant schema, not state.
// verbose: keeps the offending value on each error so the message can say what it got.
// allErrors: so that a misspelt key (`pasword`) is reported as such, not as the missing key it implies.
const validate = new Ajv({ allErrors: true, verbose: true, strict: true }).compile(CONFIG_SCHEMA);

/** Throws a ConfigError for the first problem in `input`, or returns when it matches the schema. */
export function check(input: unknown, labels: SourceLabels): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(`${labels.where}must be an object of options (got ${describe(input)})`);
  }
  if (validate(input)) return;
  const errors = validate.errors ?? [];
  const error = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
  throw new ConfigError(error === undefined ? `${labels.where}invalid configuration` : translate(error, labels));
}

function translate(error: ErrorObject, labels: SourceLabels): string {
  const [key, ...rest] = error.instancePath.split('/').slice(1).map(unescapePointer);
  if (key === undefined) {
    // Root level: only an unknown key can fail here.
    if (error.keyword === 'additionalProperties') {
      const name = String(error.params['additionalProperty']);
      return `${labels.where}unknown option ${labels.quote(name)}${didYouMean(name, KEYS, labels.quote)}`;
    }
    return `${labels.where}${error.message ?? 'invalid'}`;
  }
  const path = labels.label(key as OptionKey) + rest.map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join('');
  return `${path}: ${explain(error)}`;
}

function explain(error: ErrorObject): string {
  const got = ` (got ${describe(error.data)})`;
  const p = error.params;
  switch (error.keyword) {
    case 'type':
      return `must be ${article(String(p['type']))}${got}`;
    case 'minimum':
      return `must be >= ${String(p['limit'])}${got}`;
    case 'maximum':
      return `must be <= ${String(p['limit'])}${got}`;
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map(String).join(', ')}${got}`;
    case 'minItems':
      return `must not be empty`;
    case 'minLength':
      return `must not be empty`;
    case 'required':
      return `missing ${JSON.stringify(p['missingProperty'])}`;
    case 'additionalProperties': {
      const name = String(p['additionalProperty']);
      const known = Object.keys((error.parentSchema?.['properties'] ?? {}) as object);
      return `unknown property ${JSON.stringify(name)}${didYouMean(name, known, (s) => JSON.stringify(s))}`;
    }
    default:
      return `${error.message ?? 'invalid'}${got}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A short rendering of a bad value: long values are cut so one line stays one line. */
export function describe(value: unknown): string {
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}
