import { isExchangeDefinition } from '../persistence.js';
import type { PolicyInput, PolicySnapshot } from '../policy/policy-definition.js';
import { plainTable } from '../plain-values.js';
import type { PermissionStore } from '../security/permissions.js';
import type { UserStore } from '../security/users.js';
import type { PlainTable } from '../snapshots.js';
import type { VhostMetadata } from '../vhost-meta.js';
import type { VirtualHost } from '../vhost.js';

/** The part of broker.policies / broker.operatorPolicies that definitions use. */
export interface PoliciesPort {
  list(vhost?: string): readonly PolicySnapshot[];
  set(vhost: string, name: string, policy: PolicyInput): unknown;
}

/** The part of broker.schemas that definitions use. */
export interface SchemasPort {
  list(vhost?: string): readonly { readonly vhost: string; readonly name: string; readonly schema: unknown }[];
  get(vhost: string, name: string): unknown;
  set(vhost: string, name: string, schema: unknown): Promise<unknown>;
}

export interface ParameterRow {
  readonly vhost: string;
  readonly component: string;
  readonly name: string;
  readonly value: unknown;
}

export interface ExportSource {
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  meta(vhost: string): VhostMetadata | undefined;
  readonly users: UserStore;
  readonly permissions: PermissionStore;
  readonly policies: PoliciesPort;
  readonly operatorPolicies: PoliciesPort;
  /** broker.schemas: exported as Warren's `schemas` key (RabbitMQ's import ignores it). */
  readonly schemas: SchemasPort;
  /** Runtime parameters beyond vhost-limits (nats-bridge), in RabbitMQ's {value, vhost, component, name} shape. */
  readonly parameters?: () => readonly ParameterRow[];
  /** RabbitMQ's node name, for original_cluster_name. */
  readonly node: string;
  readonly productVersion: string;
}

/**
 * The RabbitMQ version whose definitions format the export follows (4.x: vhost metadata at the top and
 * under `metadata`, rabbitmq_definition_format, explanation). An importer reads it to date the file:
 * RabbitMQ takes a missing hashing_algorithm as MD5 only for versions before 3.6.0.
 */
export const DEFINITIONS_FORMAT_VERSION = '4.1.0';

type Json = Record<string, unknown>;

/** GET /api/definitions: RabbitMQ 4.x's cluster-wide document. */
export function exportAll(s: ExportSource): Json {
  const vhosts = [...s.vhosts.keys()];
  return {
    ...header(s),
    rabbitmq_definition_format: 'cluster',
    original_cluster_name: s.node,
    explanation: `Definitions of cluster '${s.node}'`,
    users: s.users.list().map((u) => {
      const r = s.users.record(u.name);
      return { name: u.name, password_hash: r?.passwordHash ?? '', hashing_algorithm: u.hashingAlgorithm, tags: [...u.tags], limits: userLimits(u.limits) };
    }),
    vhosts: vhosts.map((name) => vhostJson(name, s.meta(name))),
    permissions: s.permissions.list().map((p) => ({ user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read })),
    topic_permissions: s.permissions.listTopic().map((p) => ({ user: p.user, vhost: p.vhost, exchange: p.exchange, write: p.write, read: p.read })),
    parameters: [...vhosts.flatMap((v) => limitsParameter(v, s.meta(v))), ...otherParameters(s)],
    global_parameters: [],
    policies: s.policies.list().map(policyJson),
    operator_policies: s.operatorPolicies.list().map(policyJson),
    schemas: s.schemas.list().map((x) => ({ vhost: x.vhost, name: x.name, schema: x.schema })),
    queues: vhosts.flatMap((v) => queues(s.vhosts.get(v) as VirtualHost, true)),
    exchanges: vhosts.flatMap((v) => exchanges(s.vhosts.get(v) as VirtualHost, true)),
    bindings: vhosts.flatMap((v) => bindings(s.vhosts.get(v) as VirtualHost, true)),
  };
}

/** GET /api/definitions/{vhost}: RabbitMQ 4.x's single_virtual_host document (objects without their vhost field); undefined for an unknown vhost. */
export function exportVhost(s: ExportSource, name: string): Json | undefined {
  const vhost = s.vhosts.get(name);
  const meta = s.meta(name);
  if (vhost === undefined || meta === undefined) return undefined;
  const strip = ({ vhost: _v, ...rest }: Json): Json => rest;
  return {
    ...header(s),
    rabbitmq_definition_format: 'single_virtual_host',
    original_vhost_name: name,
    explanation: `Definitions of virtual host '${name}'`,
    metadata: { description: meta.description, tags: [...meta.tags], default_queue_type: meta.defaultQueueType },
    description: meta.description,
    limits: limitsValue(meta),
    parameters: [...limitsParameter(name, meta), ...otherParameters(s, name)].map(strip),
    policies: s.policies.list(name).map(policyJson).map(strip),
    operator_policies: s.operatorPolicies.list(name).map(policyJson).map(strip),
    schemas: s.schemas.list(name).map((x) => ({ name: x.name, schema: x.schema })),
    queues: queues(vhost, false),
    exchanges: exchanges(vhost, false),
    bindings: bindings(vhost, false),
  };
}

function header(s: ExportSource): Json {
  return { rabbit_version: DEFINITIONS_FORMAT_VERSION, rabbitmq_version: DEFINITIONS_FORMAT_VERSION, product_name: 'Warren', product_version: s.productVersion };
}

function vhostJson(name: string, meta: VhostMetadata | undefined): Json {
  const description = meta?.description ?? '';
  const tags = [...(meta?.tags ?? [])];
  const defaultQueueType = meta?.defaultQueueType ?? 'classic';
  return { name, description, tags, default_queue_type: defaultQueueType, metadata: { description, tags, default_queue_type: defaultQueueType } };
}

function userLimits(l: { readonly maxConnections?: number; readonly maxChannels?: number }): Json {
  const out: Json = {};
  if (l.maxConnections !== undefined) out['max-connections'] = l.maxConnections;
  if (l.maxChannels !== undefined) out['max-channels'] = l.maxChannels;
  return out;
}

function limitsValue(meta: VhostMetadata): Json {
  const out: Json = {};
  if (meta.limits.maxConnections !== undefined) out['max-connections'] = meta.limits.maxConnections;
  if (meta.limits.maxQueues !== undefined) out['max-queues'] = meta.limits.maxQueues;
  return out;
}

/** RabbitMQ keeps vhost limits as the runtime parameter vhost-limits/limits of the vhost. */
function limitsParameter(vhost: string, meta: VhostMetadata | undefined): Json[] {
  if (meta === undefined) return [];
  const value = limitsValue(meta);
  return Object.keys(value).length === 0 ? [] : [{ value, vhost, component: 'vhost-limits', name: 'limits' }];
}

function otherParameters(s: ExportSource, vhost?: string): Json[] {
  const rows = s.parameters?.() ?? [];
  return rows.filter((p) => vhost === undefined || p.vhost === vhost).map((p) => ({ value: p.value, vhost: p.vhost, component: p.component, name: p.name }));
}

function policyJson(p: PolicySnapshot): Json {
  return { vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p['apply-to'], definition: p.definition, priority: p.priority };
}

const args = (t: Parameters<typeof plainTable>[0]): PlainTable => ({ ...plainTable(t) });

/** Exclusive queues are left out, as RabbitMQ leaves them out: they cannot be restored. */
function queues(v: VirtualHost, withVhost: boolean): Json[] {
  const out: Json[] = [];
  for (const q of v.queues.values()) {
    if (q.options.exclusive) continue;
    out.push({ name: q.name, ...(withVhost ? { vhost: v.name } : {}), durable: q.options.durable, auto_delete: q.options.autoDelete, arguments: args(q.options.arguments) });
  }
  return out;
}

/** Without the default exchange and amq.*, as RabbitMQ: they exist in every vhost. */
function exchanges(v: VirtualHost, withVhost: boolean): Json[] {
  const out: Json[] = [];
  for (const x of v.exchanges.values()) {
    if (x.builtin || x.name === '' || x.name.startsWith('amq.')) continue;
    const o = x.options;
    out.push({ name: x.name, ...(withVhost ? { vhost: v.name } : {}), type: x.type, durable: o.durable, auto_delete: o.autoDelete, internal: o.internal, arguments: args(o.arguments) });
  }
  return out;
}

/** Every explicit binding (the default exchange's are implicit), those of amq.* exchanges included. */
function bindings(v: VirtualHost, withVhost: boolean): Json[] {
  const out: Json[] = [];
  for (const x of v.exchanges.values()) {
    if (x.name === '') continue;
    for (const b of x.table.bindings()) {
      if (!isExchangeDefinition(b.destination) && b.destination.options.exclusive) continue;
      out.push({
        source: x.name, ...(withVhost ? { vhost: v.name } : {}), destination: b.destination.name,
        destination_type: isExchangeDefinition(b.destination) ? 'exchange' : 'queue', routing_key: b.routingKey, arguments: args(b.args),
      });
    }
  }
  return out;
}
