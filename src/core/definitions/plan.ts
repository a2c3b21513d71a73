import { AmqpError } from '../../errors/index.js';
import type { FieldTable } from '../../protocol/field-table.js';
import { createTableFor, isKnownExchangeType } from '../exchange/exchange-factory.js';
import { SchemaCache } from '../exchange/schema.js';
import { hasSchemaArgs, schemaCheckOf } from '../exchange/schema-args.js';
import { badSchemaName } from '../exchange/schema-registry.js';
import { parseQueueArgs } from '../queue/arguments.js';
import { compilePattern, PatternError } from '../security/pcre-pattern.js';
import { PolicyError, validatePolicy, type PolicyInput } from '../policy/policy-definition.js';
import { UserInputError, UserStore } from '../security/users.js';
import { vhostMetadata } from '../vhost-meta.js';
import { DefinitionsError } from './definitions-error.js';
import type { ExchangeItem, ParsedDefinitions } from './parse.js';

/** What the plan needs to know of the broker as it is. */
export interface DefinitionsState {
  hasVhost(name: string): boolean;
  hasUser(name: string): boolean;
  /** The exchange's type and arguments, built-in ones included; undefined when there is none. */
  exchange(vhost: string, name: string): { readonly type: string; readonly arguments: FieldTable } | undefined;
  hasQueue(vhost: string, name: string): boolean;
  queueCount(vhost: string): number;
  maxQueues(vhost: string): number | undefined;
  /** The schemas registered now (an exchange's x-schema may name one). */
  schemas(): Iterable<{ readonly vhost: string; readonly name: string; readonly text: string }>;
}

/** RabbitMQ's apply-to values (3.x and 4.x). */
const APPLY_TO = ['all', 'queues', 'exchanges', 'classic_queues', 'quorum_queues', 'streams'];
const MAX_VHOST_NAME_BYTES = 255;

const bad = (reason: string): never => {
  throw new DefinitionsError(reason);
};

/** An error of a broker check (an AmqpError's detail, a RangeError's message) as an import reason about `where`. */
function reasonOf(err: unknown, where: string): never {
  if (err instanceof AmqpError) return bad(err.detail.includes(where) ? err.detail : `${where}: ${err.detail}`);
  if (err instanceof RangeError || err instanceof UserInputError || err instanceof PatternError) return bad(`${where}: ${err.message}`);
  throw err;
}

function pattern(text: string, where: string): void {
  try {
    compilePattern(text);
  } catch (err) {
    reasonOf(err, where);
  }
}

/**
 * Checks a parsed document against itself and the broker: every name an object refers to exists (in
 * the broker or in the document), every value is one the broker takes (hashes, patterns, exchange
 * types, queue and binding arguments, vhost queue limits). Throws DefinitionsError for the first
 * problem; nothing is changed either way. Queue and exchange names that exist already are left out
 * of what is declared later, as RabbitMQ's import leaves an existing queue or exchange as it is.
 */
export function checkDefinitions(d: ParsedDefinitions, state: DefinitionsState): void {
  const scratchUsers = new UserStore([], undefined);
  const users = new Set<string>();
  for (const u of d.users) {
    try {
      scratchUsers.put({ name: u.name, password: u.password, passwordHash: u.password === undefined ? u.passwordHash : undefined, hashingAlgorithm: u.hashingAlgorithm, tags: u.tags, limits: u.limits });
    } catch (err) {
      reasonOf(err, `user '${u.name}'`);
    }
    users.add(u.name);
  }
  const vhosts = new Set<string>();
  for (const v of d.vhosts) {
    const bytes = Buffer.byteLength(v.name);
    if (bytes === 0 || bytes > MAX_VHOST_NAME_BYTES) bad(`vhost '${v.name}': a vhost name must be 1 to ${MAX_VHOST_NAME_BYTES} bytes of UTF-8`);
    try {
      vhostMetadata(v.name, { description: v.description, tags: v.tags, defaultQueueType: v.defaultQueueType });
    } catch (err) {
      reasonOf(err, `vhost '${v.name}'`);
    }
    vhosts.add(v.name);
  }
  const vhost = (name: string, what: string): void => {
    if (!vhosts.has(name) && !state.hasVhost(name)) bad(`${what}: no vhost '${name}' (create it first or add it to vhosts)`);
  };
  const user = (name: string, what: string): void => {
    if (!users.has(name) && !state.hasUser(name)) bad(`${what}: no user '${name}'`);
  };
  for (const p of d.permissions) {
    const where = `permissions of user '${p.user}' in vhost '${p.vhost}'`;
    user(p.user, where);
    vhost(p.vhost, where);
    for (const text of [p.configure, p.write, p.read]) pattern(text, where);
  }
  for (const p of d.topicPermissions) {
    const where = `topic permissions of user '${p.user}' in vhost '${p.vhost}' on exchange '${p.exchange}'`;
    user(p.user, where);
    vhost(p.vhost, where);
    for (const text of [p.write, p.read]) pattern(text, where);
  }
  const maxQueues = new Map<string, number | undefined>();
  for (const l of d.limits) {
    const where = `vhost-limits of vhost '${l.vhost}'`;
    vhost(l.vhost, where);
    try {
      vhostMetadata(l.vhost, { limits: { maxConnections: l.maxConnections, maxQueues: l.maxQueues } });
    } catch (err) {
      reasonOf(err, where);
    }
    maxQueues.set(l.vhost, l.maxQueues !== undefined && l.maxQueues >= 0 ? l.maxQueues : undefined);
  }
  for (const [kind, p] of [...d.policies.map((p) => ['policy', p] as const), ...d.operatorPolicies.map((p) => ['operator_policy', p] as const)]) {
    const where = `${kind === 'policy' ? 'policy' : 'operator policy'} '${p.name}' in vhost '${p.vhost}'`;
    if (p.name === '') bad(`policy in vhost '${p.vhost}' has an empty name`);
    vhost(p.vhost, where);
    pattern(p.pattern, where);
    if (!APPLY_TO.includes(p['apply-to'])) bad(`${where}: 'apply-to' must be one of ${APPLY_TO.join(', ')}, got '${p['apply-to']}'`);
    try {
      validatePolicy(kind, p.vhost, p.name, { pattern: p.pattern, 'apply-to': p['apply-to'], priority: p.priority, definition: p.definition } as PolicyInput);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      bad(`${where}: ${err.reason}`); // what broker.policies.set would refuse, refused before anything is applied
    }
  }
  // The document's schemas compile, and its exchanges' x-schema arguments hold with them and the broker's.
  const schemas = new SchemaCache(64);
  for (const s of state.schemas()) schemas.registry.set(s.vhost, s.name, s.text);
  for (const s of d.schemas) {
    const where = `schema '${s.name}' in vhost '${s.vhost}'`;
    vhost(s.vhost, where);
    const badName = badSchemaName(s.name);
    if (badName !== undefined) bad(`${where}: ${badName}`);
    try {
      schemas.compile(s.text);
    } catch (err) {
      bad(`${where} does not compile: ${(err as Error).message}`);
    }
    schemas.registry.set(s.vhost, s.name, s.text);
  }
  const exchanges = new Map<string, ExchangeItem>();
  for (const x of d.exchanges) {
    const where = `exchange '${x.name}' in vhost '${x.vhost}'`;
    vhost(x.vhost, where);
    if (!isKnownExchangeType(x.type)) bad(`${where}: unknown exchange type '${x.type}'`);
    const ae = x.arguments['alternate-exchange'];
    if (ae !== undefined && ae.type !== 'string') bad(`${where}: 'alternate-exchange' must be a string`);
    try {
      createTableFor(x.type, x.arguments, x.name, x.vhost);
      if (hasSchemaArgs(x.arguments)) schemaCheckOf(x.arguments, schemas, x.name, x.vhost);
    } catch (err) {
      reasonOf(err, where);
    }
    exchanges.set(`${x.vhost}\u0000${x.name}`, x);
  }
  const queues = new Set<string>();
  const added = new Map<string, number>();
  for (const q of d.queues) {
    const where = `queue '${q.name}' in vhost '${q.vhost}'`;
    vhost(q.vhost, where);
    try {
      parseQueueArgs(q.arguments, q.name, q.vhost);
    } catch (err) {
      reasonOf(err, where);
    }
    const key = `${q.vhost}\u0000${q.name}`;
    if (!queues.has(key) && !state.hasQueue(q.vhost, q.name)) added.set(q.vhost, (added.get(q.vhost) ?? 0) + 1);
    queues.add(key);
  }
  for (const [v, n] of added) {
    const limit = maxQueues.has(v) ? maxQueues.get(v) : state.hasVhost(v) ? state.maxQueues(v) : undefined;
    const current = state.hasVhost(v) ? state.queueCount(v) : 0;
    if (limit !== undefined && current + n > limit) {
      bad(`Adding ${n} queue(s) to virtual host "${v}" would exceed the limit of ${limit} queue(s). This virtual host currently has ${current} queue(s) defined. Import aborted!`);
    }
  }
  const tables = new Map<string, { validateBinding(routingKey: string, args: FieldTable): void }>();
  for (const b of d.bindings) {
    const where = `binding of ${b.destinationType} '${b.destination}' to exchange '${b.source}' in vhost '${b.vhost}'`;
    vhost(b.vhost, where);
    if (b.source === '') bad(`${where}: bindings to the default exchange cannot be declared`);
    const sourceKey = `${b.vhost}\u0000${b.source}`;
    const source = exchanges.get(sourceKey) ?? state.exchange(b.vhost, b.source);
    if (source === undefined) bad(`${where}: no exchange '${b.source}' in vhost '${b.vhost}'`);
    const destKey = `${b.vhost}\u0000${b.destination}`;
    const found = b.destinationType === 'queue' ? queues.has(destKey) || state.hasQueue(b.vhost, b.destination) : exchanges.has(destKey) || state.exchange(b.vhost, b.destination) !== undefined;
    if (!found) bad(`${where}: no ${b.destinationType} '${b.destination}' in vhost '${b.vhost}'`);
    let table = tables.get(sourceKey);
    if (table === undefined) tables.set(sourceKey, (table = createTableFor((source as ExchangeItem).type, (source as ExchangeItem).arguments, b.source, b.vhost)));
    try {
      table.validateBinding(b.routingKey, b.arguments);
    } catch (err) {
      reasonOf(err, where);
    }
  }
}
