import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call } from '../routing.js';
import { params } from './queues-exchanges.js';

/** RabbitMQ's alias table for protocol-listener (the subset Warren can serve). */
const PROTOCOL_ALIASES: Readonly<Record<string, string>> = {
  amqp091: 'amqp', 'amqp0.9.1': 'amqp', 'amqp0-9-1': 'amqp', amqp0_9_1: 'amqp', amqps: 'amqp/ssl',
  http1: 'http', 'http1.1': 'http', http_api: 'http', management: 'http', management_ui: 'http', ui: 'http',
};

const ALARM = { type: 'object', properties: { node: { type: 'string' }, resource: { type: 'string' } }, required: ['node', 'resource'] } as const;
const OK = (extra: Record<string, object> = {}) =>
  ({ type: 'object', properties: { status: { type: 'string' }, ...extra }, required: ['status'] }) as const;
/** Every failure body: status, reason, and the check's own fields (kept: RabbitMQ's 503s carry them). */
const FAILED = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    reason: { type: 'string' },
    alarms: { type: 'array', items: ALARM },
    missing: { type: ['integer', 'string'] },
    ports: { type: 'array', items: { type: 'integer' } },
    protocols: { type: 'array', items: { type: 'string' } },
    'virtual-hosts': { type: 'array', items: { type: 'string' } },
  },
  required: ['status', 'reason'],
} as const;

/** A failed check: 503 with RabbitMQ's body (the route's 503 schema serialises it). */
function failed(call: Call, body: Record<string, unknown>): unknown {
  call.reply.code(503);
  return { status: 'failed', ...body };
}

/**
 * RabbitMQ's /api/health/checks/*: 200 {"status":"ok"} or 503 {"status":"failed","reason":...}.
 * As in RabbitMQ, any user with a management tag may call them (rabbit_mgmt_util:is_authorized).
 */
export function healthRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const get = (url: string, ok: object, handle: (call: Call) => unknown, p?: object): void =>
    resource(app, api, url, { GET: { ...(p !== undefined ? { params: p } : {}), response: ok, errors: { 503: FAILED }, handle } });

  const alarms = (reason: string) => (call: Call) => {
    const a = api.alarms();
    const list = [...(a.memory ? ['memory'] : []), ...(a.disk ? ['disk'] : [])].map((resource) => ({ node: api.node, resource }));
    return list.length === 0 ? { status: 'ok' } : failed(call, { reason, alarms: list });
  };
  // One node: the cluster's alarms are the node's.
  get('/api/health/checks/alarms', OK(), alarms('There are alarms in effect in the cluster'));
  get('/api/health/checks/local-alarms', OK(), alarms('There are alarms in effect on the node'));
  // Warren's vhosts have no supervisor of their own that could be down: every existing vhost is up.
  get('/api/health/checks/virtual-hosts', OK(), () => ({ status: 'ok' }));

  get('/api/health/checks/port-listener/:port', OK({ port: { type: 'integer' } }), (call) => {
    const raw = call.params['port'] as string;
    if (!/^-?\d+$/.test(raw)) throw new HttpError(400, 'bad_request', 'Invalid port');
    const port = Number(raw);
    const ports = api.listeners().map((l) => l.port);
    return ports.includes(port) ? { status: 'ok', port } : failed(call, { reason: 'No active listener', missing: port, ports });
  }, params('port'));

  get('/api/health/checks/protocol-listener/:protocol', OK({ protocol: { type: 'string' } }), (call) => {
    const lower = (call.params['protocol'] as string).toLowerCase();
    const protocol = PROTOCOL_ALIASES[lower] ?? lower;
    const protocols = api.listeners().map((l) => l.protocol);
    return protocols.includes(protocol as never) ? { status: 'ok', protocol } : failed(call, { reason: 'No active listener', missing: protocol, protocols });
  }, params('protocol'));
}
