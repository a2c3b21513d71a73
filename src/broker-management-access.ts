import type { PermissionsApi, TopicPermissionsApi } from './broker-access.js';
import type { BrokerDefinitions } from './broker-definitions.js';
import type { PoliciesApi } from './broker-policies.js';
import type { SchemasApi } from './broker-schemas.js';
import type { BrokerUsers } from './broker-security.js';
import type { BrokerVhosts } from './broker-vhosts.js';
import type { UserStore } from './core/security/users.js';
import type { AccessOps } from './http/access-ops.js';

/** The Broker API this builds on (a Broker is one); read when a request comes, after startBroker returned. */
export interface AccessParts extends Pick<BrokerVhosts, 'createVhost' | 'updateVhost' | 'deleteVhost' | 'vhostMetadata'> {
  readonly users: BrokerUsers;
  readonly permissions: PermissionsApi;
  readonly topicPermissions: TopicPermissionsApi;
  readonly policies: PoliciesApi;
  readonly operatorPolicies: PoliciesApi;
  readonly schemas: SchemasApi;
  readonly definitions: BrokerDefinitions;
}

/**
 * The management API's write side over the Broker API. `parts` is called per operation, so the
 * composition root can pass the broker it is still building; the users store gives the stored hash
 * a limits change keeps.
 */
export function managementAccess(parts: () => AccessParts, store: UserStore): AccessOps {
  return {
    putVhost: async (name, meta, actingUser) => {
      const b = parts();
      if (b.vhostMetadata(name) === undefined && (await b.createVhost(name, meta))) {
        if (store.has(actingUser)) await b.permissions.set({ user: actingUser, vhost: name, configure: '.*', write: '.*', read: '.*' });
        return true;
      }
      await b.updateVhost(name, meta);
      return false;
    },
    deleteVhost: (name) => parts().deleteVhost(name),
    putUser: async (input) => {
      const existing = store.record(input.name);
      await parts().users.put({ ...input, limits: input.limits ?? existing?.limits, loopbackOnly: input.loopbackOnly ?? existing?.loopbackOnly });
      return existing === undefined;
    },
    deleteUser: (name) => parts().users.delete(name),
    setPermission: async (p) => {
      const b = parts();
      const created = b.permissions.list({ user: p.user, vhost: p.vhost }).length === 0;
      await b.permissions.set(p);
      return created;
    },
    clearPermission: (user, vhost) => parts().permissions.clear(user, vhost),
    topicPermissions: (filter) => parts().topicPermissions.list(filter),
    setTopicPermission: async (p) => {
      const b = parts();
      const created = b.topicPermissions.list({ user: p.user, vhost: p.vhost }).length === 0;
      await b.topicPermissions.set(p);
      return created;
    },
    clearTopicPermissions: (user, vhost, exchange) => parts().topicPermissions.clear(user, vhost, exchange),
    setUserLimits: async (user, limits) => {
      const r = store.record(user);
      if (r === undefined) return false;
      await parts().users.put({ name: r.name, passwordHash: r.passwordHash, hashingAlgorithm: r.hashingAlgorithm, tags: r.tags, loopbackOnly: r.loopbackOnly, limits });
      return true;
    },
    setVhostLimits: async (vhost, limits) => (await parts().updateVhost(vhost, { limits })) !== undefined,
    get policies() {
      return parts().policies;
    },
    get operatorPolicies() {
      return parts().operatorPolicies;
    },
    get schemas() {
      return parts().schemas;
    },
    exportDefinitions: (vhost) => parts().definitions.export(vhost),
    importDefinitions: async (doc, vhost) => {
      await parts().definitions.import(doc, vhost);
    },
  };
}
