import type { ValidateFunction } from 'ajv';
import { amqpError } from '../../errors/index.js';
import { isIntegerField, type FieldTable, type FieldValue } from '../../protocol/field-table.js';
import { DEFAULT_SCHEMA_CONTENT_TYPES, DEFAULT_SCHEMA_MAX_BYTES, DEFAULT_SCHEMA_MAX_DEPTH, SCHEMA_ARG, SchemaCache, SchemaCheck, type KeySchema } from './schema.js';
import { isInlineSchema } from './schema-registry.js';

export const SCHEMA_BY_KEY_ARG = 'x-schema-by-key';

/** Whether the arguments ask for a schema check at all (one or two property checks). */
export function hasSchemaArgs(args: FieldTable): boolean {
  return Object.hasOwn(args, SCHEMA_ARG) || Object.hasOwn(args, SCHEMA_BY_KEY_ARG);
}

/**
 * The schema check an exchange's arguments ask for, or undefined without x-schema and
 * x-schema-by-key. A bad argument, or a name no schema is registered under in the vhost, is
 * refused with 406 before anything is declared, naming the JSON or ajv compile error, as RabbitMQ
 * refuses bad arguments.
 */
export function schemaCheckOf(args: FieldTable, schemas: SchemaCache | undefined, exchange: string, vhost: string): SchemaCheck | undefined {
  if (!hasSchemaArgs(args)) return undefined;
  const cache = schemas ?? new SchemaCache(1); // a vhost outside a broker (unit tests) has no shared cache
  const bad = (arg: string, why: string): Error => amqpError('WARREN_ARGUMENT_INVALID', `invalid arg '${arg}' for exchange '${exchange}' in vhost '${vhost}': ${why}`);
  const names: string[] = [];
  const resolve = (arg: string, value: string): { text: string; validate: ValidateFunction } => {
    let text = value;
    if (!isInlineSchema(value)) {
      const registered = cache.registry.get(vhost, value);
      if (registered === undefined) throw bad(arg, `no schema '${value}' is registered in vhost '${vhost}' (PUT /api/schemas/{vhost}/{name}; an inline schema starts with '{')`);
      if (!names.includes(value)) names.push(value);
      text = registered;
    }
    try {
      return { text, validate: cache.compile(text) };
    } catch (err) {
      throw bad(arg, (err as Error).message);
    }
  };
  let main: { source: string; text: string; validate: ValidateFunction } | undefined;
  const given = args[SCHEMA_ARG];
  if (given !== undefined) {
    if (given.type !== 'string') throw bad(SCHEMA_ARG, 'must be a JSON Schema as a JSON string, or the name of a registered schema');
    main = { source: given.value, ...resolve(SCHEMA_ARG, given.value) };
  }
  const byKey = byKeyOf(args[SCHEMA_BY_KEY_ARG], (why) => bad(SCHEMA_BY_KEY_ARG, why)).map(
    ([pattern, source]): KeySchema => ({ pattern, words: pattern.split('.'), source, ...resolve(`${SCHEMA_BY_KEY_ARG}' pattern '${pattern}`, source) }),
  );
  const contentTypes = contentTypesOf(args['x-schema-content-types']);
  if (contentTypes === undefined) throw bad('x-schema-content-types', 'must be a comma-separated string or an array of strings');
  const maxBytes = positiveInt(args['x-schema-max-bytes'], DEFAULT_SCHEMA_MAX_BYTES);
  if (maxBytes === undefined) throw bad('x-schema-max-bytes', 'must be a positive integer');
  const maxDepth = positiveInt(args['x-schema-max-depth'], DEFAULT_SCHEMA_MAX_DEPTH);
  if (maxDepth === undefined) throw bad('x-schema-max-depth', 'must be a positive integer');
  const invalid = args['x-invalid-exchange'];
  if (invalid !== undefined && invalid.type !== 'string') throw bad('x-invalid-exchange', 'must be a string');
  return new SchemaCheck({ source: main?.source, text: main?.text, validate: main?.validate, byKey, contentTypes, maxBytes, maxDepth }, names);
}

/**
 * x-schema-by-key's entries in the order given: a JSON object (as a string) of topic patterns to an
 * inline schema (an object) or a registered name (a string), or a field table of patterns to strings
 * (an inline schema's JSON text, or a name).
 */
function byKeyOf(v: FieldValue | undefined, bad: (why: string) => Error): Array<readonly [string, string]> {
  if (v === undefined) return [];
  const shape = "must be a JSON object of routing-key patterns ('*', '#') to a schema or a schema's name";
  if (v.type === 'table') {
    return Object.entries(v.value).map(([pattern, value]) => {
      if (value.type !== 'string') throw bad(`${shape}: the value for '${pattern}' is not a string`);
      return [pattern, value.value] as const;
    });
  }
  if (v.type !== 'string') throw bad(shape);
  let parsed: unknown;
  try {
    parsed = JSON.parse(v.value);
  } catch (err) {
    throw bad(`${shape}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad(shape);
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw bad(`${shape}: it is empty`);
  return entries.map(([pattern, value]) => {
    if (typeof value === 'string') return [pattern, value] as const;
    if (typeof value === 'boolean' || (typeof value === 'object' && value !== null && !Array.isArray(value))) return [pattern, JSON.stringify(value)] as const;
    throw bad(`${shape}: the value for '${pattern}' is neither`);
  });
}

function contentTypesOf(v: FieldValue | undefined): readonly string[] | undefined {
  if (v === undefined) return DEFAULT_SCHEMA_CONTENT_TYPES;
  let items: string[];
  if (v.type === 'string') items = v.value.split(',');
  else if (v.type === 'array') {
    items = [];
    for (const item of v.value) {
      if (item.type !== 'string') return undefined;
      items.push(item.value);
    }
  } else return undefined;
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

function positiveInt(v: FieldValue | undefined, fallback: number): number | undefined {
  if (v === undefined) return fallback;
  if (!isIntegerField(v)) return undefined;
  const n = Number(v.value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
