import { browseQueue } from './core/inspect/browse.js';
import { explainMessage, explainRoute } from './core/inspect/explain.js';
import { redrive } from './core/inspect/redrive.js';
import { listUnacked } from './core/inspect/unacked-list.js';
import { brokerPrincipal, connectionPrincipal } from './core/principal.js';
import type { Queue } from './core/queue/queue.js';
import type { Registry } from './core/registry.js';
import type { AccessControl, PrincipalAccess } from './core/security/access.js';
import { checkQueueRead } from './core/security/access-rules.js';
import { queueNotFound } from './core/vhost-errors.js';
import type { VirtualHost } from './core/vhost.js';
import { amqpError } from './errors/index.js';
import type { InspectOps } from './http/inspect-ops.js';

export type { InspectOps };

/** The connection id of the principals these operations act as (as broker.publish's). */
const MANAGEMENT_CALLER = 'management-api';

export interface InspectParts {
  readonly vhosts: ReadonlyMap<string, VirtualHost>;
  readonly registry: Registry;
  readonly access: AccessControl;
}

/**
 * broker.inspect and the management API's browse, unacked, redrive and explain (src/core/inspect):
 * vhost and queue by name, and the caller's permissions as its AMQP channel would have them.
 */
export function brokerInspect(parts: InspectParts): InspectOps {
  const vhostOf = (name: string): VirtualHost => {
    const vhost = parts.vhosts.get(name);
    if (vhost === undefined) throw amqpError('WARREN_NOT_FOUND', `no vhost '${name}'`);
    return vhost;
  };
  const accessOf = (user: string | undefined, vhost: string): PrincipalAccess | undefined => {
    if (user === undefined) return undefined;
    if (!parts.access.canOpen(user, vhost)) throw amqpError('WARREN_PERMISSION_REFUSED', `access to vhost '${vhost}' refused for user '${user}'`);
    return parts.access.forPrincipal(connectionPrincipal(user, vhost, MANAGEMENT_CALLER));
  };
  const readable = (vhostName: string, name: string, user: string | undefined): { vhost: VirtualHost; queue: Queue } => {
    const vhost = vhostOf(vhostName);
    const access = accessOf(user, vhostName);
    const queue = vhost.queues.get(name);
    if (queue === undefined) throw queueNotFound(vhostName, name);
    if (access !== undefined) checkQueueRead(access, name);
    return { vhost, queue };
  };
  return {
    browse: (vhost, queue, options = {}) => {
      try {
        const found = readable(vhost, queue, options.user);
        return browseQueue(found.queue, options, found.vhost.clock.now()); // expiry by the vhost's clock, as deliveries judge it
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    unacked: (vhost, queue, options = {}) => listUnacked(parts.registry, readable(vhost, queue, options.user).queue, options),
    redrive: async (vhostName, name, options = {}) => {
      const vhost = vhostOf(vhostName);
      const access = accessOf(options.user, vhostName);
      const principal = access?.principal ?? brokerPrincipal(vhostName);
      // getQueue: another connection's exclusive queue is locked (405), as for basic.get.
      return redrive(vhost, vhost.getQueue(name, principal), { ...options, access });
    },
    explain: (vhostName, exchangeName, request) => {
      const vhost = vhostOf(vhostName);
      accessOf(request.user, vhostName);
      const name = exchangeName === 'amq.default' ? '' : exchangeName;
      const exchange = vhost.getExchange(name);
      const { message, routingKeys } = explainMessage(name, request);
      return explainRoute(vhost, exchange, message, routingKeys);
    },
  };
}
