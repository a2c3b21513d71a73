import type { FieldTable } from '../../protocol/field-table.js';
import { DefinitionsError } from './definitions-error.js';
import { isPlainObject, tableFromJson } from './json-table.js';

/** The objects of a RabbitMQ definitions document, read and type-checked (not yet checked against the broker). */
export interface UserItem {
  readonly name: string;
  readonly passwordHash?: string;
  readonly password?: string;
  readonly hashingAlgorithm?: string;
  readonly tags: readonly string[];
  readonly limits: { readonly maxConnections?: number; readonly maxChannels?: number };
}
export interface VhostItem {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly defaultQueueType?: string;
}
export interface PermissionItem {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}
export interface TopicPermissionItem {
  readonly user: string;
  readonly vhost: string;
  readonly exchange: string;
  readonly write: string;
  readonly read: string;
}
/** A runtime parameter of another component (nats-bridge), its value checked by that component before import. */
export interface ParameterItem {
  readonly vhost: string;
  readonly component: string;
  readonly name: string;
  readonly value: unknown;
}

/** A `vhost-limits` runtime parameter. */
export interface LimitsItem {
  readonly vhost: string;
  readonly maxConnections?: number;
  readonly maxQueues?: number;
}
export interface PolicyItem {
  readonly vhost: string;
  readonly name: string;
  readonly pattern: string;
  readonly 'apply-to': string;
  readonly priority: number;
  readonly definition: Readonly<Record<string, unknown>>;
}
/** Warren's `schemas` array: JSON Schemas registered by name (broker.schemas); RabbitMQ ignores the key. */
export interface SchemaItem {
  readonly vhost: string;
  readonly name: string;
  /** The schema's JSON text. */
  readonly text: string;
}

export interface ExchangeItem {
  readonly vhost: string;
  readonly name: string;
  readonly type: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
}
export interface QueueItem {
  readonly vhost: string;
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
}
export interface BindingItem {
  readonly vhost: string;
  readonly source: string;
  readonly destination: string;
  readonly destinationType: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

export interface ParsedDefinitions {
  readonly users: readonly UserItem[];
  readonly vhosts: readonly VhostItem[];
  readonly permissions: readonly PermissionItem[];
  readonly topicPermissions: readonly TopicPermissionItem[];
  readonly limits: readonly LimitsItem[];
  readonly parameters: readonly ParameterItem[];
  readonly policies: readonly PolicyItem[];
  /** Warren's `operator_policies` array (the policies' shape): what broker.operatorPolicies holds. */
  readonly operatorPolicies: readonly PolicyItem[];
  readonly schemas: readonly SchemaItem[];
  readonly exchanges: readonly ExchangeItem[];
  readonly queues: readonly QueueItem[];
  readonly bindings: readonly BindingItem[];
  /** What RabbitMQ skips with a warning too: amq.* queues and exchanges, the default exchange. */
  readonly skipped: readonly string[];
}

type Obj = Record<string, unknown>;
const bad = (reason: string): never => {
  throw new DefinitionsError(reason);
};

function str(o: Obj, key: string, where: string, fallback?: string): string {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string') return bad(`${where}: '${key}' must be a string${v === undefined ? ' (missing)' : ''}`);
  return v;
}
function bool(o: Obj, key: string, where: string, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') return bad(`${where}: '${key}' must be true or false`);
  return v;
}
function optInt(o: Obj, key: string, where: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return bad(`${where}: '${key}' must be an integer`);
  return v;
}
/** RabbitMQ exports tags as an array (3.x since 3.7 and 4.x); older files and the HTTP API's PUT write a comma-separated string. */
function tags(o: Obj, key: string, where: string): readonly string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return v as string[];
  return bad(`${where}: '${key}' must be an array of strings or a comma-separated string`);
}
function args(o: Obj, where: string): FieldTable {
  try {
    return tableFromJson(o['arguments'], where);
  } catch (err) {
    return bad((err as Error).message);
  }
}
function list(doc: Obj, key: string): Obj[] {
  const v = doc[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return bad(`'${key}' must be an array`);
  v.forEach((item, i) => isPlainObject(item) || bad(`${key}[${i}] must be an object`));
  return v as Obj[];
}

/**
 * Reads a definitions document (RabbitMQ 3.x or 4.x, from GET /api/definitions or rabbitmqctl
 * export_definitions) as RabbitMQ's rabbit_definitions does. With `vhost` it is a per-vhost document
 * (GET /api/definitions/{vhost}): the objects' own vhost fields are ignored and users, vhosts and
 * permissions are not imported, as RabbitMQ's apply_defs for a vhost.
 */
export function parseDefinitions(doc: unknown, vhost?: string): ParsedDefinitions {
  if (!isPlainObject(doc)) return bad('definitions must be a JSON object');
  const version = typeof doc['rabbitmq_version'] === 'string' ? doc['rabbitmq_version'] : typeof doc['rabbit_version'] === 'string' ? doc['rabbit_version'] : undefined;
  const vhostOf = (o: Obj, where: string): string => vhost ?? str(o, 'vhost', where);
  const skipped: string[] = [];
  const whole = vhost === undefined;
  const users = whole ? list(doc, 'users').map((u, i) => user(u, `users[${i}]`, version)) : [];
  const vhosts = whole ? list(doc, 'vhosts').map((v, i) => vhostItem(v, `vhosts[${i}]`)) : [];
  const permissions = whole
    ? list(doc, 'permissions').map((p, i) => {
        const w = `permissions[${i}]`;
        return { user: str(p, 'user', w), vhost: str(p, 'vhost', w), configure: str(p, 'configure', w), write: str(p, 'write', w), read: str(p, 'read', w) };
      })
    : [];
  const topicPermissions = whole
    ? list(doc, 'topic_permissions').map((p, i) => {
        const w = `topic_permissions[${i}]`;
        return { user: str(p, 'user', w), vhost: str(p, 'vhost', w), exchange: str(p, 'exchange', w), write: str(p, 'write', w), read: str(p, 'read', w) };
      })
    : [];
  const limits: LimitsItem[] = [];
  const parameters: ParameterItem[] = [];
  list(doc, 'parameters').forEach((p, i) => {
    const w = `parameters[${i}]`;
    const component = str(p, 'component', w);
    if (component === 'vhost-limits') limits.push(limitsItem(vhostOf(p, w), p['value'], w));
    else parameters.push({ vhost: vhostOf(p, w), component, name: str(p, 'name', w), value: p['value'] });
  });
  // A 4.x per-vhost export carries the vhost's limits at the top.
  if (!whole && isPlainObject(doc['limits']) && Object.keys(doc['limits']).length > 0) limits.push(limitsItem(vhost, doc['limits'], 'limits'));
  const policies = list(doc, 'policies').map((p, i) => policy(p, vhostOf(p, `policies[${i}]`), `policies[${i}]`));
  const operatorPolicies = list(doc, 'operator_policies').map((p, i) => policy(p, vhostOf(p, `operator_policies[${i}]`), `operator_policies[${i}]`));
  const schemas = list(doc, 'schemas').map((x, i): SchemaItem => {
    const w = `schemas[${i}]`;
    const value = x['schema'];
    if (typeof value !== 'boolean' && !isPlainObject(value)) bad(`${w}: 'schema' must be a JSON Schema (an object or a boolean)`);
    return { vhost: vhostOf(x, w), name: str(x, 'name', w), text: JSON.stringify(value) };
  });
  const exchanges: ExchangeItem[] = [];
  list(doc, 'exchanges').forEach((x, i) => {
    const w = `exchanges[${i}]`;
    const name = str(x, 'name', w);
    const v = vhostOf(x, w);
    if (name === '' || name.startsWith('amq.')) return void skipped.push(`exchange '${name}' in vhost '${v}' (${name === '' ? 'the default exchange' : 'reserved prefix amq.'})`);
    const where = `exchange '${name}' in vhost '${v}'`;
    exchanges.push({
      vhost: v, name, type: str(x, 'type', where), durable: bool(x, 'durable', where, true), autoDelete: bool(x, 'auto_delete', where, false),
      internal: bool(x, 'internal', where, false), arguments: args(x, where),
    });
  });
  const queues: QueueItem[] = [];
  list(doc, 'queues').forEach((q, i) => {
    const w = `queues[${i}]`;
    const name = str(q, 'name', w);
    const v = vhostOf(q, w);
    if (name.startsWith('amq.')) return void skipped.push(`queue '${name}' in vhost '${v}' (reserved prefix amq.)`);
    if (name === '') bad(`${w}: a queue name must not be empty`);
    const where = `queue '${name}' in vhost '${v}'`;
    queues.push({ vhost: v, name, durable: bool(q, 'durable', where, true), autoDelete: bool(q, 'auto_delete', where, false), arguments: args(q, where) });
  });
  const bindings = list(doc, 'bindings').map((b, i): BindingItem => {
    const w = `bindings[${i}]`;
    const type = str(b, 'destination_type', w);
    if (type !== 'queue' && type !== 'exchange') bad(`${w}: destination_type must be 'queue' or 'exchange', got '${type}'`);
    return {
      vhost: vhostOf(b, w), source: str(b, 'source', w), destination: str(b, 'destination', w), destinationType: type as 'queue' | 'exchange',
      routingKey: str(b, 'routing_key', w, ''), arguments: args(b, w),
    };
  });
  return { users, vhosts, permissions, topicPermissions, limits, parameters, policies, operatorPolicies, schemas, exchanges, queues, bindings, skipped };
}

function user(u: Obj, w: string, version: string | undefined): UserItem {
  const name = str(u, 'name', w);
  const where = `user '${name}'`;
  const password = u['password'] === undefined ? undefined : str(u, 'password', where);
  const passwordHash = u['password_hash'] === undefined ? undefined : str(u, 'password_hash', where);
  let hashingAlgorithm = u['hashing_algorithm'] === undefined ? undefined : str(u, 'hashing_algorithm', where);
  // rabbit_auth_backend_internal: files from before 3.6.0 carry no algorithm and their hashes are MD5.
  if (hashingAlgorithm === undefined && passwordHash !== undefined && version !== undefined && olderThan(version, [3, 6, 0])) hashingAlgorithm = 'rabbit_password_hashing_md5';
  const limits = u['limits'];
  if (limits !== undefined && !isPlainObject(limits) && !(Array.isArray(limits) && limits.length === 0)) bad(`${where}: 'limits' must be an object`);
  const l = isPlainObject(limits) ? limits : {};
  return {
    name, password, passwordHash: password === undefined ? (passwordHash ?? '') : passwordHash, hashingAlgorithm: password === undefined ? hashingAlgorithm : undefined,
    tags: tags(u, 'tags', where) ?? [], limits: { maxConnections: optInt(l, 'max-connections', where), maxChannels: optInt(l, 'max-channels', where) },
  };
}

/** 4.x writes description, tags and default_queue_type both at the top and under metadata; 3.10 writes only the name. */
function vhostItem(v: Obj, w: string): VhostItem {
  const name = str(v, 'name', w);
  const where = `vhost '${name}'`;
  const meta = v['metadata'];
  if (meta !== undefined && !isPlainObject(meta)) bad(`${where}: 'metadata' must be an object`);
  const m = isPlainObject(meta) ? meta : {};
  const pick = (key: string): string | undefined => (v[key] !== undefined ? str(v, key, where) : m[key] !== undefined ? str(m, key, where) : undefined);
  let defaultQueueType = pick('default_queue_type');
  if (defaultQueueType === 'undefined') defaultQueueType = undefined; // what 3.10's GET /api/vhosts shows for "not set"
  return { name, description: pick('description'), tags: tags(v, 'tags', where) ?? tags(m, 'tags', where), defaultQueueType };
}

function limitsItem(vhost: string, value: unknown, w: string): LimitsItem {
  if (!isPlainObject(value)) return bad(`${w}: the vhost-limits value must be an object`);
  for (const key of Object.keys(value)) if (key !== 'max-connections' && key !== 'max-queues') bad(`${w}: unknown vhost limit '${key}' (known: max-connections, max-queues)`);
  const where = `vhost-limits of vhost '${vhost}'`;
  return { vhost, maxConnections: optInt(value, 'max-connections', where), maxQueues: optInt(value, 'max-queues', where) };
}

function policy(p: Obj, vhost: string, w: string): PolicyItem {
  const name = str(p, 'name', w);
  const where = `policy '${name}' in vhost '${vhost}'`;
  const definition = p['definition'];
  if (!isPlainObject(definition)) bad(`${where}: 'definition' must be an object`);
  const priority = optInt(p, 'priority', where) ?? 0;
  return { vhost, name, pattern: str(p, 'pattern', where), 'apply-to': str(p, 'apply-to', where, 'all'), priority, definition: definition as Obj };
}

function olderThan(version: string, than: readonly number[]): boolean {
  const parts = version.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < than.length; i++) {
    const p = parts[i] ?? 0;
    if (Number.isNaN(p)) return false;
    if (p !== than[i]) return p < (than[i] as number);
  }
  return false;
}
