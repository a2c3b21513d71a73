import type { FastifyInstance } from 'fastify';
import { canSeeVhost, checkVhost } from '../auth.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { params } from './access-writes.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const BRIDGE = {
  type: 'object',
  properties: { name: str, vhost: str, type: str, direction: str, state: str, reason: str, forwarded: int, dropped: int, last_error: str },
} as const;
const bridgeList = { type: 'array', items: BRIDGE } as const;

/**
 * GET /api/nats-bridges[/{vhost}]: the nats-bridge parameters at work, as RabbitMQ's /api/shovels shows
 * shovels (name, vhost, type, state starting/running/terminated with a reason), for whoever may use
 * the vhost; plus the bridge's direction and counters.
 */
export function natsBridgeRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const rows = (vhost?: string) => api.parameters?.bridges(vhost) ?? [];
  resource(app, api, '/api/nats-bridges', {
    GET: { response: bridgeList, handle: ({ principal }) => rows().filter((b) => canSeeVhost(api, principal, b.vhost)) },
  });
  resource(app, api, '/api/nats-bridges/:vhost', {
    GET: {
      params: params('vhost'),
      response: bridgeList,
      handle: ({ principal, params: p }) => (checkVhost(api, principal, p['vhost'] as string), rows(p['vhost'])),
    },
  });
}
