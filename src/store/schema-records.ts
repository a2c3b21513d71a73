/**
 * Schema records of the definitions log: JSON Schemas registered by name per vhost (Warren's
 * schema-checked exchanges, PUT /api/schemas/{vhost}/{name}). The text is kept as registered. A
 * deleted vhost's schemas go with it.
 */

export interface SchemaDef {
  readonly vhost: string;
  readonly name: string;
  /** The schema's JSON text. */
  readonly schema: string;
}

export type SchemaRecord =
  | { readonly op: 'put-schema'; readonly def: SchemaDef }
  | { readonly op: 'del-schema'; readonly vhost: string; readonly name: string };

/** Registered schemas by vhost and name, in the order registered. */
export type SchemaState = Map<string, SchemaDef>;

const key = (vhost: string, name: string): string => `${vhost}\u0000${name}`;

export function isSchemaRecord(r: { readonly op: string }): r is SchemaRecord {
  return r.op === 'put-schema' || r.op === 'del-schema';
}

export function applySchemaRecord(s: SchemaState, r: SchemaRecord): void {
  if (r.op === 'put-schema') s.set(key(r.def.vhost, r.def.name), r.def);
  else s.delete(key(r.vhost, r.name));
}

export function dropVhostSchemas(s: SchemaState, vhost: string): void {
  for (const [k, d] of s) if (d.vhost === vhost) s.delete(k);
}

export function* schemaSnapshot(s: SchemaState): Iterable<SchemaRecord> {
  for (const def of s.values()) yield { op: 'put-schema', def };
}
