/**
 * The Broker's runtime vhost commands (rabbitmqctl add_vhost / delete_vhost / update_vhost_metadata):
 * the table records them; deletion first closes the vhost's connections, as RabbitMQ does.
 */
import type { VhostMetadata, VhostMetadataInput } from './core/vhost-meta.js';
import type { VhostTable } from './core/vhost-table.js';
import type { VirtualHost } from './core/vhost.js';
import type { Logger } from './util/logger.js';

export interface BrokerVhosts {
  vhostMetadata(name: string): VhostMetadata | undefined;
  updateVhost(name: string, meta: VhostMetadataInput): Promise<VhostMetadata | undefined>;
  createVhost(name: string, meta?: VhostMetadataInput): Promise<boolean>;
  deleteVhost(name: string): Promise<boolean>;
}

export interface BrokerVhostsDeps {
  readonly table: VhostTable;
  readonly logger: Logger;
  /** Closes the vhost's connections with 320 and this reason. */
  readonly closeConnections: (vhost: string, reason: string) => Promise<void>;
  /** Counters: the vhost's objects leave the per-object tables (detached) and fold into the totals (destroyed). */
  readonly detached: (vhost: VirtualHost) => void;
  readonly destroyed: (vhost: VirtualHost) => void;
  /** Its permissions go with it. */
  readonly permissionsDeleted: (vhost: string) => void;
}

export function brokerVhosts(deps: BrokerVhostsDeps): BrokerVhosts {
  const { table, logger } = deps;
  const deleting = new Map<string, Promise<void>>();
  return {
    vhostMetadata: (name) => table.meta(name),
    updateVhost: async (name, meta) => {
      const updated = table.update(name, meta);
      if (updated !== undefined) await table.whenSynced();
      return updated;
    },
    createVhost: async (name, meta) => {
      // A deletion of the same name finishes first: its records must precede the new put-vhost.
      await deleting.get(name);
      if (table.create(name, meta) === undefined) return false;
      await table.whenSynced();
      return true;
    },
    deleteVhost: async (name) => {
      const vhost = table.detach(name);
      if (vhost === undefined) return false;
      deps.detached(vhost);
      logger.info({ event: 'vhost.deleting', vhost: name }, `closing all connections in vhost '${name}' because it is being deleted`);
      const done = deps
        .closeConnections(name, `vhost '${name}' is deleted`)
        .then(() => {
          table.destroy(vhost);
          deps.permissionsDeleted(name);
          deps.destroyed(vhost);
        })
        .then(() => table.whenSynced())
        .finally(() => deleting.delete(name));
      deleting.set(name, done);
      await done;
      return true;
    },
  };
}
