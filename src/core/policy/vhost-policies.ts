import type { PlainTable } from '../snapshots.js';
import type { ApplyTo, Policy, PolicyKind } from './policy-definition.js';
import { mergeDefinitions } from './effective.js';
import { mayMatch, prefilterOf, type Prefilter } from './pattern-prefilter.js';

/** What a queue or exchange has in force (RabbitMQ's policy, operator_policy, effective_policy_definition). */
export interface AppliedPolicy {
  readonly policy: string | undefined;
  readonly operatorPolicy: string | undefined;
  readonly definition: PlainTable;
  /** The objects they came from: a re-application that picks the same two changes nothing. */
  readonly user?: Policy;
  readonly operator?: Policy;
}

export const NO_POLICY: AppliedPolicy = Object.freeze({
  policy: undefined,
  operatorPolicy: undefined,
  definition: Object.freeze(Object.create(null) as PlainTable),
});

/** What a policy can apply to: an exchange, or a queue of either type (its x-queue-type argument). */
export type EntityKind = 'exchange' | 'classic' | 'quorum';

/**
 * Keys a queue type does not support: a policy carrying one does not apply to such a queue at all
 * (RabbitMQ 4.x's `capabilities().unsupported_policies` through is_policy_applicable), limited to
 * the keys Warren accepts. So a classic queue ignores a policy with delivery-limit, as RabbitMQ's do.
 */
const UNSUPPORTED: Readonly<Record<'classic' | 'quorum', ReadonlySet<string>>> = {
  classic: new Set(['delivery-limit', 'initial-cluster-size', 'max-in-memory-length', 'max-in-memory-bytes']),
  quorum: new Set(['queue-mode', 'queue-master-locator', 'ha-mode', 'ha-params', 'ha-sync-mode', 'ha-sync-batch-size', 'ha-promote-on-shutdown', 'ha-promote-on-failure']),
};

interface Entry {
  readonly policy: Policy;
  readonly name: string;
  readonly priority: number;
  /** Bit per EntityKind (exchange 1, classic 2, quorum 4): which kinds it applies to, after apply-to and the unsupported keys. */
  readonly kinds: number;
  readonly prefilter: Prefilter;
}

const KIND_BIT: Readonly<Record<EntityKind, number>> = { exchange: 1, classic: 2, quorum: 4 };
const APPLY_BITS: Readonly<Record<ApplyTo, number>> = { all: 7, exchanges: 1, queues: 6, classic_queues: 2, quorum_queues: 4 };

function kindsOf(p: Policy): number {
  let bits = APPLY_BITS[p.applyTo];
  const keys = Object.keys(p.snapshot.definition);
  if (keys.some((k) => UNSUPPORTED.classic.has(k))) bits &= ~KIND_BIT.classic;
  if (keys.some((k) => UNSUPPORTED.quorum.has(k))) bits &= ~KIND_BIT.quorum;
  return bits;
}

/**
 * One kind of policy of one vhost, kept sorted by priority (highest first), then name (lexically
 * first first): the first entry that applies and matches is the one in force, so a lookup stops
 * at its first hit, and a declare in a vhost with no policy costs one length check.
 */
export class PolicyList {
  private entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  get(name: string): Policy | undefined {
    return this.entries.find((e) => e.name === name)?.policy;
  }

  values(): Policy[] {
    return this.entries.map((e) => e.policy);
  }

  put(policy: Policy): void {
    const { name, priority } = policy.snapshot;
    const list = this.entries.filter((e) => e.name !== name);
    const entry: Entry = { policy, name, priority, kinds: kindsOf(policy), prefilter: prefilterOf(policy.snapshot.pattern) };
    let i = 0;
    while (i < list.length && before(list[i] as Entry, entry)) i++;
    list.splice(i, 0, entry);
    this.entries = list;
  }

  delete(name: string): boolean {
    const n = this.entries.length;
    this.entries = this.entries.filter((e) => e.name !== name);
    return this.entries.length !== n;
  }

  match(kind: EntityKind, name: string): Policy | undefined {
    const bit = KIND_BIT[kind];
    for (const e of this.entries) {
      if ((e.kinds & bit) === 0) continue;
      const re = e.policy.regex;
      if (re === undefined || (mayMatch(e.prefilter, name) && re.test(name))) return e.policy;
    }
    return undefined;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.name < b.name);
}

/** A vhost's policies and operator policies, and what of them applies to a name. */
export class VhostPolicies {
  readonly user = new PolicyList();
  readonly operator = new PolicyList();

  list(kind: PolicyKind): PolicyList {
    return kind === 'policy' ? this.user : this.operator;
  }

  /** What applies to an entity: `previous` itself when that is unchanged (nothing to re-apply). */
  resolve(kind: EntityKind, name: string, previous: AppliedPolicy): AppliedPolicy {
    if (this.user.size === 0 && this.operator.size === 0) return NO_POLICY;
    const user = this.user.match(kind, name);
    const operator = this.operator.match(kind, name);
    if (user === previous.user && operator === previous.operator) return previous;
    if (user === undefined && operator === undefined) return NO_POLICY;
    return Object.freeze({
      policy: user?.snapshot.name,
      operatorPolicy: operator?.snapshot.name,
      definition: mergeDefinitions(user?.snapshot.definition, operator?.snapshot.definition),
      user,
      operator,
    });
  }
}
