import { Ajv, type ValidateFunction } from 'ajv';
import { SchemaRegistry, topicMatches } from './schema-registry.js';

/** Warren's schema-checked exchanges (issue 16): the arguments, their defaults and limits. */
export const SCHEMA_ARG = 'x-schema';
export const DEFAULT_SCHEMA_CONTENT_TYPES: readonly string[] = ['application/json'];
/** Bodies larger are invalid unread: JSON.parse and ajv time grow with the body. */
export const DEFAULT_SCHEMA_MAX_BYTES = 1024 * 1024;
/** Deeper nesting is invalid before parsing (a byte scan): ajv recurses per level of the value. */
export const DEFAULT_SCHEMA_MAX_DEPTH = 64;
/** Compiled schemas kept by the broker's cache, least recently used dropped first. */
export const SCHEMA_CACHE_SIZE = 256;

export type SchemaVerdict = 'valid' | 'invalid' | 'unparseable';

/** One x-schema-by-key entry: a topic pattern and the schema for routing keys it matches. */
export interface KeySchema {
  readonly pattern: string;
  readonly words: readonly string[];
  /** As given: an inline schema or the name of a registered one. */
  readonly source: string;
  readonly text: string;
  readonly validate: ValidateFunction;
}

/** What an exchange's schema arguments come to (core/exchange/schema-args.ts builds it). */
export interface SchemaCheckParts {
  /** x-schema as given (inline or a name), its text and compiled form; undefined with x-schema-by-key alone. */
  readonly source?: string | undefined;
  readonly text?: string | undefined;
  readonly validate?: ValidateFunction | undefined;
  readonly byKey?: readonly KeySchema[];
  readonly contentTypes: readonly string[];
  readonly maxBytes: number;
  readonly maxDepth: number;
}

/** The schema check of one exchange: compiled once, shared through the broker's SchemaCache. */
export class SchemaCheck {
  readonly source: string | undefined;
  /** x-schema's text (a registered schema's, for a name); undefined with x-schema-by-key alone. */
  readonly schemaText: string | undefined;
  readonly byKey: readonly KeySchema[];
  readonly contentTypes: readonly string[];
  readonly maxBytes: number;
  readonly maxDepth: number;
  /** The registered schemas this check uses (by name): re-resolved when one is replaced. */
  readonly names: readonly string[];
  private readonly validate: ValidateFunction | undefined;
  /** Why the last check() said invalid or unparseable: "schema: /amount must be number (type)". */
  reason = '';

  constructor(parts: SchemaCheckParts, names: readonly string[] = []) {
    this.source = parts.source;
    this.schemaText = parts.text;
    this.validate = parts.validate;
    this.byKey = parts.byKey ?? [];
    this.contentTypes = parts.contentTypes;
    this.maxBytes = parts.maxBytes;
    this.maxDepth = parts.maxDepth;
    this.names = names;
  }

  /** Whether a message of this content type is checked at all (others pass unchecked). */
  applies(contentType: string | undefined): boolean {
    if (contentType === undefined) return false;
    const types = this.contentTypes;
    for (let i = 0; i < types.length; i++) if (types[i] === contentType) return true;
    // "application/json; charset=utf-8" is still JSON: the media type before the parameters counts.
    const semi = contentType.indexOf(';');
    if (semi < 0) return false;
    const bare = contentType.slice(0, semi).trim();
    for (let i = 0; i < types.length; i++) if (types[i] === bare) return true;
    return false;
  }

  /**
   * The schema for a routing key: the first x-schema-by-key pattern it matches (in the order given),
   * else x-schema; undefined: the message passes unchecked. Without x-schema-by-key, one property read.
   */
  select(routingKey: string): ValidateFunction | undefined {
    const byKey = this.byKey;
    if (byKey.length === 0) return this.validate;
    const words = routingKey.split('.');
    for (let i = 0; i < byKey.length; i++) {
      const k = byKey[i] as KeySchema;
      if (topicMatches(k.words, words)) return k.validate;
    }
    return this.validate;
  }

  /** Checks one body against the schema its routing key selects; size and depth first, in one bounded pass, before JSON.parse. */
  check(body: Buffer, validate: ValidateFunction | undefined = this.validate): SchemaVerdict {
    if (validate === undefined) return 'valid';
    if (body.length > this.maxBytes) {
      this.reason = `schema: body of ${body.length} bytes is larger than the maximum of ${this.maxBytes} (max-bytes)`;
      return 'invalid';
    }
    if (bracketsExceed(body, this.maxDepth) && nestingExceeds(body, this.maxDepth)) {
      this.reason = `schema: JSON nested deeper than the maximum of ${this.maxDepth} (max-depth)`;
      return 'invalid';
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      this.reason = 'schema: body is not valid JSON (unparseable)';
      return 'unparseable';
    }
    if (validate(value)) return 'valid';
    const e = validate.errors?.[0];
    this.reason = e === undefined ? 'schema: invalid' : `schema: ${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'is invalid'} (${e.keyword})`;
    return 'invalid';
  }
}

/**
 * Whether the body holds more than max [ and { bytes in all: if not, it cannot nest deeper, and the
 * exact scan is skipped. Native indexOf per bracket: a typical event has a few, and the scan below
 * skips each string (every key is one) with a call, 2.2 µs for a 1 KiB event of 20 fields.
 */
export function bracketsExceed(body: Buffer, max: number): boolean {
  let k = 0;
  for (let i = body.indexOf(0x7b); i >= 0; i = body.indexOf(0x7b, i + 1)) if (++k > max) return true;
  for (let i = body.indexOf(0x5b); i >= 0; i = body.indexOf(0x5b, i + 1)) if (++k > max) return true;
  return false;
}

/**
 * Whether [ and { nest deeper than max outside strings. One pass over the bytes, no allocation: the
 * bound on a hostile body's cost before JSON.parse sees it (V8 parses a 2 MB "[[[..." in ~580 ms).
 * Strings are skipped with indexOf (native): a byte-by-byte loop with string state cost 2.2 µs for a
 * 1 KiB event, this 0.38 µs (node 20, bench/schema-validate.ts).
 */
export function nestingExceeds(body: Buffer, max: number): boolean {
  let depth = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i] as number;
    if (c === 0x22) {
      // The closing quote is the next one not escaped: preceded by an even run of backslashes.
      for (;;) {
        const q = body.indexOf(0x22, i + 1);
        if (q < 0) return false; // unterminated: JSON.parse refuses it
        let b = q - 1;
        while (body[b] === 0x5c) b--;
        i = q;
        if (((q - 1 - b) & 1) === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * Compiled schemas by schema text, bounded (least recently used dropped). One per broker, shared
 * by its vhosts: exchanges with the same schema share one compiled validator.
 */
export class SchemaCache {
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly capacity: number;
  /** Schemas registered by name, per vhost: what a named x-schema resolves to. */
  readonly registry = new SchemaRegistry();

  constructor(capacity = SCHEMA_CACHE_SIZE) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.compiled.size;
  }

  /** The compiled schema for this text; throws the JSON or ajv compile error as it came. */
  compile(text: string): ValidateFunction {
    const hit = this.compiled.get(text);
    if (hit !== undefined) {
      this.compiled.delete(text); // re-inserted last: Map order is the recency order
      this.compiled.set(text, hit);
      return hit;
    }
    const schema: unknown = JSON.parse(text);
    if (typeof schema === 'boolean') return this.remember(text, this.ajv.compile(schema));
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error('a schema must be an object or a boolean');
    // ajv keeps every schema it compiled (and its $id), even one that failed: ours bounds what we keep,
    // so ajv forgets it either way.
    try {
      return this.remember(text, this.ajv.compile(schema));
    } finally {
      this.ajv.removeSchema(schema);
    }
  }

  private remember(text: string, fn: ValidateFunction): ValidateFunction {
    if (this.compiled.size >= this.capacity) {
      const oldest = this.compiled.keys().next().value as string;
      this.compiled.delete(oldest);
    }
    this.compiled.set(text, fn);
    return fn;
  }
}
