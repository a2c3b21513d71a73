import { availableParallelism } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { requireMonitor, seesAllConnections, visibleVhosts } from '../auth.js';
import { notFound } from '../errors.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { CLUSTER_NAME_SCHEMA, NODE_SCHEMA, OVERVIEW_SCHEMA, WHOAMI_SCHEMA } from '../schemas.js';

/** The RabbitMQ management API whose paths and fields Warren's follow (checked against 3.10.8). */
export const RABBITMQ_API_VERSION = '3.10.8';

const EXCHANGE_TYPES = [
  { name: 'direct', description: 'AMQP direct exchange, as per the AMQP specification', enabled: true },
  { name: 'fanout', description: 'AMQP fanout exchange, as per the AMQP specification', enabled: true },
  { name: 'headers', description: 'AMQP headers exchange, as per the AMQP specification', enabled: true },
  { name: 'topic', description: 'AMQP topic exchange, as per the AMQP specification', enabled: true },
  { name: 'x-delayed-message', description: 'Delayed Message Exchange', enabled: true },
] as const;

const nodeParams = { type: 'object', properties: { node: { type: 'string' } }, required: ['node'] } as const;

export function overviewRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const rm = api.readModel;

  resource(app, api, '/api/overview', {
    GET: {
      response: OVERVIEW_SCHEMA,
      handle: ({ principal }) => {
        const visible = visibleVhosts(api, principal);
        const inView = (vhost: string): boolean => visible === undefined || visible.has(vhost);
        let queues = 0;
        let messages = 0;
        let ready = 0;
        let unacked = 0;
        // The totals' depth rates are the sums of the queues' (each over its own last interval).
        let messagesRate = 0;
        let readyRate = 0;
        let unackedRate = 0;
        for (const q of rm.queues()) {
          if (!inView(q.vhost)) continue;
          queues++;
          messages += q.messages;
          ready += q.messagesReady;
          unacked += q.messagesUnacknowledged;
          messagesRate += q.messagesRate;
          readyRate += q.messagesReadyRate;
          unackedRate += q.messagesUnacknowledgedRate;
        }
        const all = seesAllConnections(principal);
        const own = (user: string | undefined): boolean => all || user === principal.name;
        const totals: Record<string, number> = {
          channels: rm.channels().filter((c) => own(c.user)).length,
          connections: rm.connections().filter((c) => own(c.user)).length,
          exchanges: rm.exchanges().filter((x) => inView(x.vhost)).length,
          queues,
        };
        // RabbitMQ shows consumers and listeners to monitoring users and administrators only.
        if (principal.monitor) totals['consumers'] = rm.consumers().length;
        const out: Record<string, unknown> = {
          management_version: RABBITMQ_API_VERSION,
          rates_mode: 'basic',
          exchange_types: EXCHANGE_TYPES,
          product_version: api.productVersion,
          product_name: 'Warren',
          rabbitmq_version: RABBITMQ_API_VERSION,
          cluster_name: api.node,
          node: api.node,
          disable_stats: false,
          enable_queue_totals: false,
          statistics_db_event_queue: 0,
          // Always present, as monitoring agents require (RabbitMQ leaves them {} before any traffic).
          message_stats: api.stats.totals(),
          churn_rates: api.stats.churn(),
          queue_totals: {
            messages,
            messages_details: { rate: messagesRate },
            messages_ready: ready,
            messages_ready_details: { rate: readyRate },
            messages_unacknowledged: unacked,
            messages_unacknowledged_details: { rate: unackedRate },
          },
          object_totals: totals,
        };
        if (principal.monitor) {
          out['listeners'] = api.listeners().map((l) => ({ node: api.node, protocol: l.protocol, ip_address: l.ipAddress, port: l.port, socket_opts: {} }));
        }
        return out;
      },
    },
  });

  resource(app, api, '/api/whoami', {
    GET: { response: WHOAMI_SCHEMA, handle: ({ principal }) => ({ name: principal.name, tags: principal.tags }) },
  });

  resource(app, api, '/api/cluster-name', {
    GET: { response: CLUSTER_NAME_SCHEMA, handle: () => ({ name: api.node }) },
  });

  const nodeJson = (): Record<string, unknown> => {
    const alarms = api.alarms();
    const res = api.resources();
    return {
      name: api.node,
      type: 'disc',
      running: true,
      os_pid: String(process.pid),
      uptime: Math.max(0, api.now() - api.startedAt),
      mem_used: process.memoryUsage().rss,
      mem_limit: res.memLimit,
      ...(res.diskFree === undefined ? {} : { disk_free: res.diskFree }),
      disk_free_limit: res.diskFreeLimit,
      mem_alarm: alarms.memory,
      disk_free_alarm: alarms.disk,
      processors: availableParallelism(),
      rates_mode: 'basic',
      partitions: [],
      exchange_types: EXCHANGE_TYPES,
    };
  };
  resource(app, api, '/api/nodes', {
    GET: {
      response: { type: 'array', items: NODE_SCHEMA },
      handle: ({ principal }) => {
        requireMonitor(principal);
        return [nodeJson()];
      },
    },
  });
  resource(app, api, '/api/nodes/:node', {
    GET: {
      params: nodeParams,
      response: NODE_SCHEMA,
      handle: ({ principal, params }) => {
        requireMonitor(principal);
        if (params['node'] !== api.node) throw notFound();
        return nodeJson();
      },
    },
  });
}
