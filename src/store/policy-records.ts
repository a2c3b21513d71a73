/**
 * Policy records of the definitions log: user policies (rabbitmqctl set_policy) and operator
 * policies (set_operator_policy), each as RabbitMQ's definitions JSON has them. A deleted vhost's
 * policies go with it.
 */

export type PolicyKindName = 'policy' | 'operator_policy';

/** The JSON shape of RabbitMQ's definitions `policies` / `operator_policies` entries. */
export interface PolicyDef {
  readonly vhost: string;
  readonly name: string;
  readonly pattern: string;
  readonly 'apply-to': string;
  readonly priority: number;
  readonly definition: Readonly<Record<string, unknown>>;
}

export type PolicyRecord =
  | { readonly op: 'put-policy'; readonly kind: PolicyKindName; readonly policy: PolicyDef }
  | { readonly op: 'del-policy'; readonly kind: PolicyKindName; readonly vhost: string; readonly name: string };

export interface PolicyState {
  readonly policies: Map<string, PolicyDef>;
  readonly operatorPolicies: Map<string, PolicyDef>;
}

export function emptyPolicyState(): PolicyState {
  return { policies: new Map(), operatorPolicies: new Map() };
}

const key = (vhost: string, name: string): string => `${vhost}\u0000${name}`;
const mapOf = (s: PolicyState, kind: PolicyKindName): Map<string, PolicyDef> => (kind === 'policy' ? s.policies : s.operatorPolicies);

export function isPolicyRecord(r: { readonly op: string }): r is PolicyRecord {
  return r.op === 'put-policy' || r.op === 'del-policy';
}

export function applyPolicyRecord(s: PolicyState, r: PolicyRecord): void {
  if (r.op === 'put-policy') mapOf(s, r.kind).set(key(r.policy.vhost, r.policy.name), r.policy);
  else mapOf(s, r.kind).delete(key(r.vhost, r.name));
}

export function dropVhostPolicies(s: PolicyState, vhost: string): void {
  for (const m of [s.policies, s.operatorPolicies]) for (const [k, p] of m) if (p.vhost === vhost) m.delete(k);
}

export function* policySnapshot(s: PolicyState): Iterable<PolicyRecord> {
  for (const policy of s.policies.values()) yield { op: 'put-policy', kind: 'policy', policy };
  for (const policy of s.operatorPolicies.values()) yield { op: 'put-policy', kind: 'operator_policy', policy };
}
