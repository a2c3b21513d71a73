import { schemaCheckOf } from './core/exchange/schema-args.js';
import type { SchemaCache } from './core/exchange/schema.js';
import { badSchemaName } from './core/exchange/schema-registry.js';
import type { VirtualHost } from './core/vhost.js';
import type { Persistence } from './persistence.js';
import type { Logger } from './util/logger.js';

/** A refused schema registration or deletion: the HTTP status and the reason (ajv's, for a schema that does not compile). */
export class SchemaError extends Error {
  readonly status: 400 | 404 | 409;
  readonly reason: string;
  constructor(status: 400 | 404 | 409, reason: string) {
    super(reason);
    this.name = 'SchemaError';
    this.status = status;
    this.reason = reason;
  }
}

/** A registered schema as GET /api/schemas shows it: the schema as JSON, and the exchanges naming it. */
export interface SchemaSnapshot {
  readonly vhost: string;
  readonly name: string;
  readonly schema: unknown;
  readonly exchanges: readonly string[];
}

/** broker.schemas: JSON Schemas registered by name, for x-schema and x-schema-by-key to name. */
export interface SchemasApi {
  /**
   * Registers (true) or replaces (false) a schema: the JSON value or its text. SchemaError 400 with
   * ajv's reason when it does not compile, 404 for an unknown vhost. Every exchange naming it checks
   * against the new one from the next publish. Resolves once the record is on disk.
   */
  set(vhost: string, name: string, schema: unknown): Promise<boolean>;
  /** false when there is none; SchemaError 409, naming them, while exchanges name it. */
  delete(vhost: string, name: string): Promise<boolean>;
  get(vhost: string, name: string): SchemaSnapshot | undefined;
  list(vhost?: string): SchemaSnapshot[];
}

export interface SchemasDeps {
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  readonly cache: SchemaCache;
  readonly persistence: Persistence;
  readonly logger: Logger;
}

export function brokerSchemas({ vhosts, cache, persistence, logger }: SchemasDeps): SchemasApi {
  const registry = cache.registry;
  const vhostOf = (name: string): VirtualHost => {
    const vhost = vhosts.get(name);
    if (vhost === undefined) throw new SchemaError(404, `Virtual host '${name}' does not exist`);
    return vhost;
  };
  const users = (vhost: VirtualHost, name: string): string[] => {
    const out: string[] = [];
    for (const x of vhost.exchanges.values()) if (x.schema?.names.includes(name) === true) out.push(x.name);
    return out;
  };
  const snapshot = (vhost: string, name: string, text: string): SchemaSnapshot => {
    const v = vhosts.get(vhost);
    return { vhost, name, schema: JSON.parse(text) as unknown, exchanges: v === undefined ? [] : users(v, name) };
  };
  const synced = (): Promise<void> =>
    new Promise((resolve) => {
      if (!persistence.whenDefinitionsSynced(persistence.definitionsMark(), () => resolve())) resolve();
    });
  return {
    set: async (vhostName, name, schema) => {
      const vhost = vhostOf(vhostName);
      const badName = badSchemaName(name);
      if (badName !== undefined) throw new SchemaError(400, badName);
      const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
      if (text === undefined) throw new SchemaError(400, 'a schema must be a JSON object or a boolean');
      try {
        cache.compile(text);
      } catch (err) {
        throw new SchemaError(400, `schema '${name}' does not compile: ${(err as Error).message}`);
      }
      const created = registry.get(vhostName, name) === undefined;
      registry.set(vhostName, name, text);
      persistence.schemaSet({ vhost: vhostName, name, schema: text });
      // The compiled cache is keyed by text: the exchanges naming it resolve it again, once, here.
      const exchanges = users(vhost, name);
      for (const x of exchanges) {
        const ex = vhost.exchanges.get(x);
        if (ex !== undefined) ex.schema = schemaCheckOf(ex.options.arguments, cache, ex.name, vhostName);
      }
      logger.info({ event: 'schema.set', vhost: vhostName, name, created, exchanges }, `schema '${name}' ${created ? 'registered' : 'replaced'} in vhost '${vhostName}'`);
      await synced();
      return created;
    },
    delete: async (vhostName, name) => {
      const vhost = vhostOf(vhostName);
      if (registry.get(vhostName, name) === undefined) return false;
      const exchanges = users(vhost, name);
      if (exchanges.length > 0) {
        throw new SchemaError(409, `schema '${name}' in vhost '${vhostName}' is used by exchange${exchanges.length > 1 ? 's' : ''} ${exchanges.map((x) => `'${x}'`).join(', ')}`);
      }
      registry.delete(vhostName, name);
      persistence.schemaDeleted(vhostName, name);
      logger.info({ event: 'schema.deleted', vhost: vhostName, name }, `schema '${name}' deleted in vhost '${vhostName}'`);
      await synced();
      return true;
    },
    get: (vhost, name) => {
      const text = registry.get(vhost, name);
      return text === undefined ? undefined : snapshot(vhost, name, text);
    },
    list: (vhost) => [...registry.entries(vhost)].map((e) => snapshot(e.vhost, e.name, e.text)),
  };
}
