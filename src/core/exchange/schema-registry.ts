/**
 * Schemas registered by name, per vhost (PUT /api/schemas/{vhost}/{name}, definitions "schemas"):
 * the text an exchange's x-schema or x-schema-by-key names. Kept by the broker's SchemaCache, so
 * an exchange resolves a name while it is declared, restored or re-checked after a replace.
 */
export class SchemaRegistry {
  private readonly byVhost = new Map<string, Map<string, string>>();

  get(vhost: string, name: string): string | undefined {
    return this.byVhost.get(vhost)?.get(name);
  }

  set(vhost: string, name: string, text: string): void {
    let names = this.byVhost.get(vhost);
    if (names === undefined) this.byVhost.set(vhost, (names = new Map()));
    names.set(name, text);
  }

  delete(vhost: string, name: string): boolean {
    return this.byVhost.get(vhost)?.delete(name) === true;
  }

  dropVhost(vhost: string): void {
    this.byVhost.delete(vhost);
  }

  /** Every registered schema, by vhost then name as registered. */
  *entries(vhost?: string): Iterable<{ readonly vhost: string; readonly name: string; readonly text: string }> {
    for (const [v, names] of this.byVhost) {
      if (vhost !== undefined && v !== vhost) continue;
      for (const [name, text] of names) yield { vhost: v, name, text };
    }
  }
}

/**
 * Whether an x-schema value is an inline schema (JSON: it starts with '{', '[', '"', a digit or '-',
 * or is true, false or null) rather than the name of a registered one. A registered name starts
 * with a letter or '_' (SCHEMA_NAME), so the two are never confused.
 */
export function isInlineSchema(value: string): boolean {
  const t = value.trimStart();
  return /^[{["\d-]/.test(t) || t === 'true' || t === 'false' || t === 'null';
}

/** What a registered schema's name may be: a letter or '_', then letters, digits and _ . : / -. */
export const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_.:/-]*$/;

/** Why a name cannot name a registered schema, or undefined when it can. */
export function badSchemaName(name: string): string | undefined {
  if (Buffer.byteLength(name) > 255) return 'a schema name is at most 255 bytes';
  if (!SCHEMA_NAME.test(name) || isInlineSchema(name)) return "a schema name starts with a letter or '_' and has only letters, digits and _ . : / - (x-schema reads anything else as an inline schema)";
  return undefined;
}

/**
 * Whether a routing key matches a topic pattern ('*' one word, '#' zero or more), as a topic
 * exchange's binding would. Words are split on '.'; a pattern of a few words costs a few compares.
 */
export function topicMatches(pattern: readonly string[], key: readonly string[], p = 0, k = 0): boolean {
  for (;;) {
    if (p === pattern.length) return k === key.length;
    const word = pattern[p] as string;
    if (word === '#') {
      if (p + 1 === pattern.length) return true;
      for (let i = k; i <= key.length; i++) if (topicMatches(pattern, key, p + 1, i)) return true;
      return false;
    }
    if (k === key.length) return false;
    if (word !== '*' && word !== key[k]) return false;
    p++;
    k++;
  }
}
