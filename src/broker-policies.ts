import { ConfigError, type Config } from './config/load.js';
import { reapplyPolicies } from './core/policy/apply-policies.js';
import { PolicyError, validatePolicy, type Policy, type PolicyInput, type PolicyKind, type PolicySnapshot } from './core/policy/policy-definition.js';
import type { VirtualHost } from './core/vhost.js';
import type { Persistence } from './persistence.js';
import type { PolicyConfig } from './config/policies-option.js';
import type { PolicyDef, PolicyState } from './store/policy-records.js';
import type { Logger } from './util/logger.js';

/** broker.policies and broker.operatorPolicies: rabbitmqctl set_policy / clear_policy / list_policies (and the operator_ ones). */
export interface PoliciesApi {
  /**
   * Validates as RabbitMQ does (PolicyError 400 with its text, 404 for an unknown vhost), records the
   * policy in the definitions log and applies it at once to every queue and exchange of the vhost;
   * resolves once the record is on disk.
   */
  set(vhost: string, name: string, input: PolicyInput): Promise<PolicySnapshot>;
  /** true when it existed; what it matched gets the next policy in line (or none) at once. */
  delete(vhost: string, name: string): Promise<boolean>;
  get(vhost: string, name: string): PolicySnapshot | undefined;
  /** As RabbitMQ's list_policies orders them: by priority, lowest first (ties by name). */
  list(vhost?: string): PolicySnapshot[];
}

export interface BrokerPolicies {
  readonly policies: PoliciesApi;
  readonly operatorPolicies: PoliciesApi;
}

const KINDS = [
  { kind: 'policy', option: 'policies', state: 'policies' },
  { kind: 'operator_policy', option: 'operatorPolicies', state: 'operatorPolicies' },
] as const;

const snapshotDef = (s: PolicySnapshot): PolicyDef => ({ vhost: s.vhost, name: s.name, pattern: s.pattern, 'apply-to': s['apply-to'], priority: s.priority, definition: s.definition });
const inputOf = (d: PolicyDef | PolicyConfig): PolicyInput => d as unknown as PolicyInput;

/**
 * Loads the policies the definitions log holds into their vhosts and applies them to the recovered
 * queues and exchanges (before the broker listens: no client sees a queue without its policy);
 * a new data directory is seeded from the `policies` and `operatorPolicies` options first.
 */
export function setUpPolicies(
  config: Config,
  state: PolicyState,
  seed: boolean,
  persistence: Persistence,
  vhosts: ReadonlyMap<string, VirtualHost>,
  logger: Logger,
): BrokerPolicies {
  for (const { kind, state: key } of KINDS) {
    for (const def of state[key].values()) {
      const vhost = vhosts.get(def.vhost);
      if (vhost === undefined) continue;
      try {
        vhost.policies.list(kind).put(validatePolicy(kind, def.vhost, def.name, inputOf(def)));
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        logger.warn({ event: 'policy.unreadable', vhost: def.vhost, name: def.name, kind }, `${kind} '${def.name}' in vhost '${def.vhost}' from the definitions log is not applied: ${err.reason.trim()}`);
      }
    }
  }
  if (seed) {
    for (const { kind, option } of KINDS) {
      for (const p of config[option]) {
        const vhost = vhosts.get(p.vhost);
        if (vhost === undefined) throw new ConfigError(`${option}: no vhost '${p.vhost}' (for policy '${p.name}')`);
        const policy = configuredPolicy(kind, option, p);
        vhost.policies.list(kind).put(policy);
        persistence.policySet(kind, snapshotDef(policy.snapshot));
        noteIgnored(logger, kind, policy);
      }
    }
  }
  for (const vhost of vhosts.values()) reapplyPolicies(vhost.policies, vhost.queues.values(), vhost.exchanges.values());
  const synced = (): Promise<void> =>
    new Promise((resolve) => {
      if (!persistence.whenDefinitionsSynced(persistence.definitionsMark(), () => resolve())) resolve();
    });
  const api = (kind: PolicyKind): PoliciesApi => {
    const vhostOf = (name: string): VirtualHost => {
      const vhost = vhosts.get(name);
      if (vhost === undefined) throw new PolicyError(404, `Virtual host '${name}' does not exist`);
      return vhost;
    };
    return {
      set: async (vhostName, name, input) => {
        const vhost = vhostOf(vhostName);
        const policy = validatePolicy(kind, vhostName, name, input);
        vhost.policies.list(kind).put(policy);
        persistence.policySet(kind, snapshotDef(policy.snapshot));
        const changed = reapplyPolicies(vhost.policies, vhost.queues.values(), vhost.exchanges.values());
        const { pattern } = policy.snapshot;
        logger.info(
          { event: 'policy.set', kind, vhost: vhostName, name, changed },
          `Successfully set ${kind === 'policy' ? 'policy' : 'operator policy'} '${name}' matching ${policy.applyTo} names in virtual host '${vhostName}' using pattern '${pattern}'`,
        );
        noteIgnored(logger, kind, policy);
        await synced();
        return policy.snapshot;
      },
      delete: async (vhostName, name) => {
        const vhost = vhostOf(vhostName);
        if (!vhost.policies.list(kind).delete(name)) return false;
        persistence.policyDeleted(kind, vhostName, name);
        const changed = reapplyPolicies(vhost.policies, vhost.queues.values(), vhost.exchanges.values());
        logger.info({ event: 'policy.deleted', kind, vhost: vhostName, name, changed }, `${kind} '${name}' in vhost '${vhostName}' deleted`);
        await synced();
        return true;
      },
      get: (vhostName, name) => vhosts.get(vhostName)?.policies.list(kind).get(name)?.snapshot,
      list: (vhostName) => {
        const out: PolicySnapshot[] = [];
        for (const vhost of vhosts.values()) {
          if (vhostName !== undefined && vhost.name !== vhostName) continue;
          const sorted = vhost.policies.list(kind).values().map((p) => p.snapshot);
          out.push(...sorted.sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : 1)));
        }
        return out;
      },
    };
  };
  return { policies: api('policy'), operatorPolicies: api('operator_policy') };
}

function configuredPolicy(kind: PolicyKind, option: string, p: PolicyConfig): Policy {
  try {
    return validatePolicy(kind, p.vhost, p.name, inputOf(p));
  } catch (err) {
    if (err instanceof PolicyError) throw new ConfigError(`${option}: policy '${p.name}': ${err.reason.trim().replace(/\n+/g, ': ')}`);
    throw err;
  }
}

/** The policies options, checked before anything starts: a bad one is a ConfigError, and no data directory is half seeded. */
export function checkConfiguredPolicies(config: Config): void {
  for (const { kind, option } of KINDS) {
    for (const p of config[option]) {
      if (!config.vhosts.includes(p.vhost)) throw new ConfigError(`${option}: no vhost '${p.vhost}' in vhosts (for policy '${p.name}')`);
      configuredPolicy(kind, option, p);
    }
  }
}

/** Keys accepted for RabbitMQ compatibility that do nothing here: said once per set, in the log (README "Policies"). */
function noteIgnored(logger: Logger, kind: PolicyKind, policy: Policy): void {
  if (policy.ignored.length === 0) return;
  const { vhost, name } = policy.snapshot;
  logger.warn(
    { event: 'policy.keys-ignored', kind, vhost, name, keys: policy.ignored },
    `${kind} '${name}' in vhost '${vhost}': ${policy.ignored.join(', ')} accepted and ignored (they mean nothing in Warren)`,
  );
}
