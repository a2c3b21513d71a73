import { DefinitionsError } from './core/definitions/definitions-error.js';
import type { PolicyInput } from './core/policy/policy-definition.js';
import { exportAll, exportVhost, type ParameterRow, type PoliciesPort, type SchemasPort } from './core/definitions/export.js';
import { parseDefinitions, type ParsedDefinitions } from './core/definitions/parse.js';
import { checkDefinitions, type DefinitionsState } from './core/definitions/plan.js';
import { brokerPrincipal } from './core/principal.js';
import type { PermissionStore } from './core/security/permissions.js';
import type { UserStore } from './core/security/users.js';
import type { VhostTable } from './core/vhost-table.js';
import type { VirtualHost } from './core/vhost.js';
import type { Persistence } from './persistence.js';
import type { Logger } from './util/logger.js';

export { DefinitionsError } from './core/definitions/definitions-error.js';
export type { PoliciesPort } from './core/definitions/export.js';

export interface ImportOptions {
  /**
   * false: leave every object that exists as it is, users, permissions, vhost metadata and limits and
   * policies too (what --load-definitions does at boot). Default true: those are replaced, as
   * RabbitMQ's import replaces them. Existing queues and exchanges are never changed.
   */
  readonly overwrite?: boolean;
}

/** How many objects an import created or replaced, and how many it left as they were. */
export interface ImportSummary {
  readonly users: number;
  readonly vhosts: number;
  readonly permissions: number;
  readonly topicPermissions: number;
  readonly parameters: number;
  readonly policies: number;
  readonly operatorPolicies: number;
  readonly schemas: number;
  readonly exchanges: number;
  readonly queues: number;
  readonly bindings: number;
  /** Existing objects left as they were, and what RabbitMQ skips too (amq.* names, the default exchange). */
  readonly skipped: number;
}

/** broker.definitions: RabbitMQ's definitions export and import (GET and POST /api/definitions[/{vhost}]). */
export interface BrokerDefinitions {
  /** RabbitMQ 4.x's export document; with vhost, the per-vhost one. Throws DefinitionsError (400 vhost_not_found, as RabbitMQ) for an unknown vhost. */
  export(vhost?: string): Record<string, unknown>;
  /**
   * Imports a RabbitMQ 3.x/4.x export (a parsed object, or its JSON text). The whole document is checked
   * first: a DefinitionsError (400, with the reason) means nothing changed. Then it is applied in slices,
   * yielding to the event loop, with its definitions records written at the end in one batch and one
   * fsync; resolves once they are on disk. With vhost: a per-vhost document into that vhost (404
   * vhost_not_found when there is none; text that is not JSON: 400 failed_to_parse_json, as RabbitMQ).
   */
  import(definitions: unknown, vhost?: string, options?: ImportOptions): Promise<ImportSummary>;
}

/** The part of the broker's runtime parameters (broker-bridge.ts) that definitions use. */
export interface ParametersPort {
  list(): readonly ParameterRow[];
  /** Why each of them would be refused (none: all fine). */
  check(rows: readonly ParameterRow[]): Promise<string[]>;
  set(component: string, vhost: string, name: string, value: unknown): Promise<unknown>;
}

export interface DefinitionsDeps {
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  readonly vhostTable: VhostTable;
  readonly users: UserStore;
  readonly permissions: PermissionStore;
  readonly persistence: Persistence;
  /** broker.policies and broker.operatorPolicies: exported and imported as `policies` and `operator_policies`. */
  readonly policies: PoliciesPort;
  readonly operatorPolicies: PoliciesPort;
  /** broker.schemas: exported and imported as Warren's `schemas` (before the exchanges that name them). */
  readonly schemas: SchemasPort;
  /** Runtime parameters beyond vhost-limits (broker-bridge.ts): exported, checked and imported under `parameters`. */
  readonly parameters?: ParametersPort;
  readonly node: string;
  readonly productVersion: string;
  readonly logger: Logger;
}

/** Changes applied between two yields to the event loop: about 10 ms of declares on a loaded machine. */
const SLICE = 500;
const PROGRESS_EVERY = 5000;

type Counted = Exclude<keyof ImportSummary, 'skipped'>;

export function brokerDefinitions(deps: DefinitionsDeps): BrokerDefinitions {
  const { vhosts, vhostTable, users, permissions, persistence, logger } = deps;
  const source = () => ({
    vhosts, meta: (v: string) => vhostTable.meta(v), users, permissions, policies: deps.policies, operatorPolicies: deps.operatorPolicies, schemas: deps.schemas, parameters: () => deps.parameters?.list() ?? [], node: deps.node, productVersion: deps.productVersion,
  });
  const state: DefinitionsState = {
    hasVhost: (v) => vhosts.has(v),
    hasUser: (u) => users.has(u),
    exchange: (v, x) => {
      const found = vhosts.get(v)?.exchanges.get(x);
      return found === undefined ? undefined : { type: found.type, arguments: found.options.arguments };
    },
    hasQueue: (v, q) => vhosts.get(v)?.queues.has(q) === true,
    queueCount: (v) => vhosts.get(v)?.queues.size ?? 0,
    maxQueues: (v) => vhostTable.meta(v)?.limits.maxQueues,
    schemas: () => deps.schemas.list().map((x) => ({ vhost: x.vhost, name: x.name, text: JSON.stringify(x.schema) })),
  };
  return {
    export: (vhost) => {
      if (vhost === undefined) return exportAll(source());
      const doc = exportVhost(source(), vhost);
      // RabbitMQ 3.10 and 4.x: GET answers 400 for an unknown vhost, POST 404, both with this reason.
      if (doc === undefined) throw new DefinitionsError('vhost_not_found');
      return doc;
    },
    import: async (definitions, vhost, options = {}) => {
      if (vhost !== undefined && !vhosts.has(vhost)) throw new DefinitionsError('vhost_not_found', 404);
      const parsed = parseDefinitions(readJson(definitions), vhost);
      checkDefinitions(parsed, state);
      await checkParameters(parsed);
      return apply(parsed, options.overwrite ?? true);
    },
  };

  async function checkParameters(d: ParsedDefinitions): Promise<void> {
    if (d.parameters.length === 0) return;
    const created = new Set(d.vhosts.map((v) => v.name));
    for (const p of d.parameters) {
      if (!vhosts.has(p.vhost) && !created.has(p.vhost)) throw new DefinitionsError(`parameter '${p.name}' (${p.component}): no vhost '${p.vhost}'`);
    }
    const reasons = deps.parameters === undefined ? [`runtime parameter component '${d.parameters[0]?.component}' is not supported`] : await deps.parameters.check(d.parameters);
    if (reasons.length > 0) throw new DefinitionsError(reasons.join('; '));
  }

  async function apply(d: ParsedDefinitions, overwrite: boolean): Promise<ImportSummary> {
    const counts: Record<Counted, number> = { users: 0, vhosts: 0, permissions: 0, topicPermissions: 0, parameters: 0, policies: 0, operatorPolicies: 0, schemas: 0, exchanges: 0, queues: 0, bindings: 0 };
    let skipped = d.skipped.length;
    for (const s of d.skipped) logger.warn({ event: 'definitions.skipped' }, `not importing ${s}`);
    const ops: [Counted, () => boolean][] = [];
    const preexisting = new Set(vhosts.keys());
    for (const u of d.users) {
      ops.push(['users', () => {
        const existing = users.record(u.name);
        if (existing !== undefined && !overwrite) return false;
        const secret = u.password !== undefined ? { password: u.password } : { passwordHash: u.passwordHash, hashingAlgorithm: u.hashingAlgorithm };
        users.put({ name: u.name, ...secret, tags: u.tags, limits: u.limits, loopbackOnly: existing?.loopbackOnly });
        return true;
      }]);
    }
    for (const v of d.vhosts) {
      ops.push(['vhosts', () => {
        const meta = { description: v.description, tags: v.tags, defaultQueueType: v.defaultQueueType };
        if (!vhosts.has(v.name)) return vhostTable.create(v.name, meta) !== undefined;
        if (!overwrite || (v.description === undefined && v.tags === undefined && v.defaultQueueType === undefined)) return false;
        return vhostTable.update(v.name, meta) !== undefined;
      }]);
    }
    for (const p of d.permissions) {
      ops.push(['permissions', () => (!overwrite && permissions.get(p.user, p.vhost) !== undefined ? false : (permissions.set(p), true))]);
    }
    for (const p of d.topicPermissions) {
      ops.push(['topicPermissions', () => (!overwrite && permissions.topicsOf(p.user, p.vhost)?.has(p.exchange) === true ? false : (permissions.setTopic(p), true))]);
    }
    for (const l of d.limits) {
      ops.push(['parameters', () => (!overwrite && preexisting.has(l.vhost) ? false : vhostTable.update(l.vhost, { limits: { maxConnections: l.maxConnections, maxQueues: l.maxQueues } }) !== undefined)]);
    }
    for (const p of d.parameters) {
      ops.push(['parameters', () => {
        const port = deps.parameters as ParametersPort; // checkParameters refused them without one
        if (!overwrite && port.list().some((e) => e.vhost === p.vhost && e.component === p.component && e.name === p.name)) return false;
        port.set(p.component, p.vhost, p.name, p.value).catch((err: unknown) =>
          logger.error({ event: 'definitions.parameter-failed', err, vhost: p.vhost, name: p.name }, `parameter '${p.name}' in vhost '${p.vhost}' not imported`),
        );
        return true;
      }]);
    }
    const importPolicies = (port: PoliciesPort, items: ParsedDefinitions['policies'], counted: 'policies' | 'operatorPolicies'): void => {
      for (const p of items) {
        ops.push([counted, () => {
          if (!overwrite && port.list(p.vhost).some((e) => e.name === p.name)) return false;
          // Checked in the plan; a refusal here would be a bug, logged rather than left unhandled.
          Promise.resolve(port.set(p.vhost, p.name, { pattern: p.pattern, 'apply-to': p['apply-to'], priority: p.priority, definition: p.definition } as PolicyInput)).catch((err: unknown) =>
            logger.error({ event: 'definitions.policy-failed', err, vhost: p.vhost, policy: p.name }, `policy '${p.name}' in vhost '${p.vhost}' not imported`),
          );
          return true;
        }]);
      }
    };
    importPolicies(deps.policies, d.policies, 'policies');
    importPolicies(deps.operatorPolicies, d.operatorPolicies, 'operatorPolicies');
    for (const x of d.schemas) {
      ops.push(['schemas', () => {
        if (!overwrite && deps.schemas.get(x.vhost, x.name) !== undefined) return false;
        // Registered in the broker's registry at once (the exchanges below resolve it); checked in the plan.
        deps.schemas.set(x.vhost, x.name, x.text).catch((err: unknown) =>
          logger.error({ event: 'definitions.schema-failed', err, vhost: x.vhost, schema: x.name }, `schema '${x.name}' in vhost '${x.vhost}' not imported`),
        );
        return true;
      }]);
    }
    const vhost = (name: string): VirtualHost => vhosts.get(name) as VirtualHost; // checked: it exists or an earlier op made it
    for (const x of d.exchanges) {
      ops.push(['exchanges', () => {
        const v = vhost(x.vhost);
        if (v.exchanges.has(x.name)) return false;
        v.declareExchange({ name: x.name, type: x.type, passive: false, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, arguments: x.arguments });
        return true;
      }]);
    }
    for (const q of d.queues) {
      ops.push(['queues', () => {
        const v = vhost(q.vhost);
        if (v.queues.has(q.name)) return false;
        v.declareQueue({ name: q.name, passive: false, durable: q.durable, exclusive: false, autoDelete: q.autoDelete, arguments: q.arguments }, brokerPrincipal(q.vhost));
        return true;
      }]);
    }
    for (const b of d.bindings) {
      ops.push(['bindings', () => {
        const v = vhost(b.vhost);
        if (b.destinationType === 'queue') v.bindQueue(b.destination, b.source, b.routingKey, b.arguments, brokerPrincipal(b.vhost));
        else v.bindExchange(b.destination, b.source, b.routingKey, b.arguments);
        return true;
      }]);
    }
    const started = performance.now();
    logger.info({ event: 'definitions.import.started', changes: ops.length }, `importing definitions: ${ops.length} objects`);
    const release = persistence.holdDefinitions();
    let done = 0;
    try {
      for (const [kind, op] of ops) {
        if (op()) counts[kind]++;
        else skipped++;
        if (++done % SLICE === 0 && done < ops.length) {
          if (done % PROGRESS_EVERY === 0) logger.info({ event: 'definitions.import.progress', done, total: ops.length }, `imported ${done} of ${ops.length} objects`);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } catch (err) {
      // Checked beforehand, so only a concurrent change (a client deleted an exchange meanwhile) or a bug lands here.
      throw new DefinitionsError(`import stopped after ${done} of ${ops.length} objects (those stay): ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      release();
      await vhostTable.whenSynced();
    }
    const ms = Math.round(performance.now() - started);
    logger.info({ event: 'definitions.import.done', ...counts, skipped, ms }, `imported definitions: ${done - skipped} objects created or replaced, ${skipped} left as they were, in ${ms} ms`);
    return { ...counts, skipped };
  }
}

function readJson(definitions: unknown): unknown {
  if (typeof definitions !== 'string' && !Buffer.isBuffer(definitions)) return definitions;
  const text = definitions.toString().replace(/^\uFEFF/, ''); // RabbitMQ strips a byte-order mark too
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DefinitionsError('failed_to_parse_json'); // RabbitMQ's reason, word for word
  }
}
