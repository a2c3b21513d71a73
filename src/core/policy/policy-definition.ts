import type { PlainTable, PlainValue } from '../snapshots.js';
import { compilePattern, PatternError, type PermissionPattern } from '../security/pcre-pattern.js';
import { erlangTerm } from './erlang-term.js';
import { HA_KEYS, haProblem } from './ha-keys.js';

/**
 * A policy as RabbitMQ's set_policy / set_operator_policy takes it, validated as
 * rabbit_policy.erl and rabbit_policies.erl validate it, with their texts ("Validation failed\n\n...",
 * values printed as Erlang terms). What Warren does not implement is refused naming the key; the
 * keys that mean nothing in one process (mirroring, queue storage versions) are accepted, applied to
 * nothing and named in `ignored`.
 */

export type PolicyKind = 'policy' | 'operator_policy';
export type ApplyTo = 'queues' | 'exchanges' | 'classic_queues' | 'quorum_queues' | 'all';

export interface PolicyInput {
  readonly pattern: string;
  /** Default 'all'. classic_queues and quorum_queues are RabbitMQ 3.12+/4.x values (3.10 refuses them). */
  readonly 'apply-to'?: ApplyTo;
  /** Default 0; the highest in force wins, ties go to the lexically first name. */
  readonly priority?: number;
  /** RabbitMQ's keys, e.g. {'max-length': 10, 'dead-letter-exchange': 'dlx'}. */
  readonly definition: Readonly<Record<string, PlainValue>>;
}

/** RabbitMQ's /api/policies JSON shape. */
export interface PolicySnapshot {
  readonly vhost: string;
  readonly name: string;
  readonly pattern: string;
  readonly 'apply-to': string;
  readonly priority: number;
  readonly definition: PlainTable;
}

/** A validated policy with its compiled pattern. */
export interface Policy {
  readonly snapshot: PolicySnapshot;
  readonly applyTo: ApplyTo;
  readonly regex: PermissionPattern | undefined; // undefined: the empty pattern, which matches every name
  /** Keys accepted but meaning nothing in Warren (queue-mode, queue-version, ha-*...). */
  readonly ignored: readonly string[];
}

/** A refused policy, shaped as RabbitMQ's management API answers it. */
export class PolicyError extends Error {
  readonly status: 400 | 404;
  readonly error: 'bad_request' | 'not_found';
  readonly reason: string;
  constructor(status: 400 | 404, reason: string) {
    super(reason);
    this.name = 'PolicyError';
    this.status = status;
    this.error = status === 404 ? 'not_found' : 'bad_request';
    this.reason = reason;
  }
}

const invalid = (text: string): PolicyError => new PolicyError(400, `Validation failed\n\n${text}\n`);

type Check = (v: PlainValue) => boolean;
const int = (min: number): Check => (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const str: Check = (v) => typeof v === 'string';
const oneOf = (...values: PlainValue[]): Check => (v) => values.includes(v);
const any: Check = () => true;

interface KeyRule {
  readonly check: Check;
  /** rabbit_policies.erl's "~p is not a valid ..." ending, or the whole text. */
  readonly what: string | ((v: PlainValue) => string);
  readonly operator: boolean;
  /** Accepted and applied to nothing. */
  readonly ignored?: boolean;
}

const rule = (check: Check, what: KeyRule['what'], operator = false, ignored = false): KeyRule => ({ check, what, operator, ignored });

/** Every key Warren accepts; anything else is refused. The operator column is RabbitMQ 4.x's operator_policy_validator. */
export const POLICY_KEYS: ReadonlyMap<string, KeyRule> = new Map([
  ['alternate-exchange', rule(str, 'alternate exchange name')],
  ['dead-letter-exchange', rule(str, 'dead letter exchange name')],
  ['dead-letter-routing-key', rule(str, 'dead letter routing key')],
  ['message-ttl', rule(int(0), 'message TTL', true)],
  ['expires', rule(int(1), 'queue expiry', true)],
  ['max-length', rule(int(0), 'maximum length', true)],
  ['max-length-bytes', rule(int(0), 'maximum length in bytes', true)],
  ['overflow', rule(oneOf('drop-head', 'reject-publish', 'reject-publish-dlx'), 'overflow value', true)],
  ['delivery-limit', rule(int(0), 'delivery limit', true)],
  ['consumer-timeout', rule(int(0), 'consumer timeout')],
  ['max-in-memory-length', rule(int(0), 'maximum memory in bytes', true, true)],
  ['max-in-memory-bytes', rule(int(0), 'maximum memory in bytes', true, true)],
  ['queue-mode', rule(oneOf('default', 'lazy'), 'queue-mode value', false, true)],
  ['queue-version', rule(oneOf(1, 2), 'queue-version value', true, true)],
  ['queue-master-locator', rule(oneOf('min-masters', 'client-local', 'random'), (v) => `${erlangTerm(v)} invalid queue-master-locator value`, false, true)],
  ['queue-leader-locator', rule(oneOf('client-local', 'balanced', 'random', 'least-leaders'), 'queue leader locator value', false, true)],
  ['initial-cluster-size', rule(int(0), 'cluster size', false, true)],
  ...HA_KEYS.map((k) => [k, rule(any, '', false, true)] as const), // checked together: haProblem
]);

/** RabbitMQ keys for features Warren does not have: refused with a reason rather than "not recognised". */
const NOT_IMPLEMENTED: ReadonlyMap<string, string> = new Map([
  ['dead-letter-strategy', 'at-least-once dead-lettering (quorum queues)'],
  ['max-age', 'streams'],
  ['stream-max-segment-size-bytes', 'streams'],
  ['stream-filter-size-bytes', 'streams'],
  ['federation-upstream', 'federation'],
  ['federation-upstream-set', 'federation'],
  ['shovel', 'shovels'],
]);

const APPLY_TO: readonly ApplyTo[] = ['queues', 'exchanges', 'classic_queues', 'quorum_queues', 'all'];

/** Validates a set_policy / set_operator_policy call; throws PolicyError with RabbitMQ's text. */
export function validatePolicy(kind: PolicyKind, vhost: string, name: string, input: PolicyInput): Policy {
  const raw = input as unknown as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') throw new PolicyError(400, 'policy name must be a non-empty string');
  const priority = raw.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isFinite(priority)) throw invalid(`priority should be a number, actually was ${erlangTerm(priority as PlainValue)}`);
  const pattern = raw.pattern;
  if (typeof pattern !== 'string') throw invalid(`pattern should be a binary but was ${erlangTerm(pattern as PlainValue)}`); // rabbit_parameter_validation:binary
  let regex: PermissionPattern | undefined;
  try {
    regex = pattern === '' ? undefined : compilePattern(pattern);
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    throw invalid(`pattern should be regular expression but is invalid: ${err.reason}`);
  }
  const applyTo = raw['apply-to'] ?? 'all';
  if (!APPLY_TO.includes(applyTo as ApplyTo)) {
    throw invalid(`apply-to '${String(applyTo)}' unrecognised; should be one of: 'queues', 'classic_queues', 'quorum_queues', 'exchanges', or 'all'`);
  }
  const definition = raw.definition;
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw invalid(`definition must be a dictionary: ${erlangTerm(definition as PlainValue)}`);
  }
  const { table, ignored } = validateDefinition(kind, definition as Record<string, PlainValue>);
  const snapshot: PolicySnapshot = Object.freeze({ vhost, name, pattern, 'apply-to': applyTo as ApplyTo, priority, definition: table });
  return { snapshot, applyTo: applyTo as ApplyTo, regex, ignored };
}

function validateDefinition(kind: PolicyKind, definition: Record<string, PlainValue>): { table: PlainTable; ignored: string[] } {
  const keys = Object.keys(definition).sort();
  if (keys.length === 0) throw invalid('no policy provided');
  const unknown: string[] = [];
  const ignored: string[] = [];
  const table = Object.create(null) as Record<string, PlainValue>;
  for (const key of keys) {
    const value = definition[key] as PlainValue;
    const missing = NOT_IMPLEMENTED.get(key);
    if (missing !== undefined) throw invalid(`${erlangTerm([[key, value]], true)} are not supported by Warren (it has no ${missing})`);
    const r = POLICY_KEYS.get(key);
    if (r === undefined || (kind === 'operator_policy' && !r.operator)) {
      unknown.push(key);
      continue;
    }
    if (!r.check(value)) throw invalid(typeof r.what === 'string' ? `${erlangTerm(value)} is not a valid ${r.what}` : r.what(value));
    if (r.ignored === true) ignored.push(key);
    table[key] = value;
  }
  const ha = haProblem(table);
  if (ha !== undefined) throw invalid(ha);
  if (unknown.length > 0) throw invalid(`${erlangTerm(unknown.map((k) => [k, definition[k] as PlainValue]), true)} are not recognised policy settings`);
  return { table: Object.freeze(table), ignored };
}
