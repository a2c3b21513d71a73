import type { BrokerPolicies } from './broker-policies.js';
import type { PolicyInput } from './core/policy/policy-definition.js';
import type { DefinitionsTarget } from './core/replication.js';
import type { PermissionStore } from './core/security/permissions.js';
import type { UserRecord, UserStore } from './core/security/users.js';
import type { VhostTable } from './core/vhost-table.js';
import type { PolicyDef } from './store/policy-records.js';
import type { Logger } from './util/logger.js';

/** What of the running broker a remote deletion goes through (closing connections); undefined until startBroker returned it. */
export interface LiveCommands {
  deleteVhost(name: string): Promise<boolean>;
  readonly users: { delete(name: string): Promise<boolean> };
}

export interface ClusterAccessDeps {
  readonly table: VhostTable;
  readonly users: UserStore;
  readonly permissions: PermissionStore;
  readonly policies: BrokerPolicies;
  readonly live: () => LiveCommands | undefined;
  /** What else goes with a vhost deleted before the broker runs (its schemas). */
  readonly vhostGone: (name: string) => void;
  readonly logger: Logger;
}

/**
 * How another node's change to vhosts, users, permissions and policies is applied here
 * (core/replication.ts DefinitionsTarget): through the same commands a local change takes, so a
 * vhost deletion closes the vhost's connections (320 CONNECTION_FORCED) and deletes its queues and
 * exchanges, a user deletion closes the user's connections, a policy applies to the matching queues.
 * Each changes the tables synchronously; the durability listener records it in this node's
 * definitions log and tells the cluster layer, which sees the bucket's value and writes nothing.
 */
export function clusterAccessTarget(deps: ClusterAccessDeps): DefinitionsTarget {
  const { table, users, permissions, policies, logger } = deps;
  const failed = (what: string) => (err: unknown) =>
    logger.error({ event: 'cluster.apply-failed', err, what }, `cluster definitions change not applied (${what}): ${(err as Error).message}`);
  const policyApi = (kind: 'policy' | 'operator_policy') => (kind === 'policy' ? policies.policies : policies.operatorPolicies);
  return {
    putVhost: (name, meta) => {
      if (table.meta(name) === undefined) table.create(name, meta);
      else table.update(name, meta);
    },
    deleteVhost: (name) => {
      const live = deps.live();
      if (live !== undefined) return void live.deleteVhost(name).catch(failed(`delete vhost '${name}'`));
      const vhost = table.detach(name); // at the join, before any connection: nothing to close
      if (vhost === undefined) return;
      table.destroy(vhost);
      permissions.vhostDeleted(name);
      deps.vhostGone(name);
    },
    putUser: (u: UserRecord) => {
      users.put({ name: u.name, passwordHash: u.passwordHash, hashingAlgorithm: u.hashingAlgorithm, tags: u.tags, loopbackOnly: u.loopbackOnly, limits: u.limits });
    },
    deleteUser: (name) => {
      const live = deps.live();
      if (live !== undefined) return void live.users.delete(name).catch(failed(`delete user '${name}'`));
      if (users.delete(name)) permissions.userDeleted(name);
    },
    setPermission: (p) => {
      if (table.meta(p.vhost) !== undefined) permissions.set(p);
    },
    clearPermission: (user, vhost) => void permissions.clear(user, vhost),
    setTopicPermission: (p) => {
      if (table.meta(p.vhost) !== undefined) permissions.setTopic(p);
    },
    clearTopicPermission: (user, vhost, exchange) => void permissions.clearTopic(user, vhost, exchange),
    // The policies API changes the vhost's policies and re-applies them before its first await.
    setPolicy: (kind, def: PolicyDef) => void policyApi(kind).set(def.vhost, def.name, def as unknown as PolicyInput).catch(failed(`${kind} '${def.name}'`)),
    deletePolicy: (kind, vhost, name) => void policyApi(kind).delete(vhost, name).catch(failed(`${kind} '${name}'`)),
    local: () => ({
      vhosts: [...table.vhosts.keys()].flatMap((name) => {
        const meta = table.meta(name);
        return meta === undefined ? [] : [[name, meta] as const];
      }),
      users: users.list().flatMap((u) => users.record(u.name) ?? []),
      permissions: permissions.list(),
      topicPermissions: permissions.listTopic(),
      policies: (['policy', 'operator_policy'] as const).flatMap((kind) =>
        policyApi(kind)
          .list()
          .map((s) => [kind, { vhost: s.vhost, name: s.name, pattern: s.pattern, 'apply-to': s['apply-to'], priority: s.priority, definition: s.definition }] as const),
      ),
    }),
  };
}
