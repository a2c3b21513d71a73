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

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = { days: DAY_MS, weeks: 7 * DAY_MS, months: (365 / 12) * DAY_MS, years: 365 * DAY_MS };

/** RabbitMQ's expiry date text (`~w-~2.2.0w-~2.2.0w ~w:~2.2.0w:~2.2.0w`, UTC): the hour is not padded. */
function expiresOn(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${d.getUTCHours()}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const expiring = (notAfter: readonly number[] | string, before: number): readonly string[] | { error: string } =>
  typeof notAfter === 'string' ? { error: notAfter } : notAfter.filter((t) => t < before).map(expiresOn);

const EXPIRES_ON = { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'object', properties: { error: { type: 'string' } } }] } as const;
const EXPIRED = {
  type: 'object',
  properties: {
    node: { type: 'string' }, protocol: { type: 'string' }, interface: { type: 'string' }, port: { type: 'integer' },
    certfile: { type: 'string' }, cacertfile: { type: ['string', 'null'] }, certfile_expires_on: EXPIRES_ON, cacertfile_expires_on: EXPIRES_ON,
  },
} as const;

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
    expired: { type: 'array', items: EXPIRED },
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
    // RabbitMQ's resource names (rabbit_alarm:format_as_map): 'memory', 'disk space'.
    const list = [...(a.memory ? ['memory'] : []), ...(a.disk ? ['disk space'] : [])].map((resource) => ({ node: api.node, resource }));
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

  get('/api/health/checks/certificate-expiration/:within/:unit', OK(), (call) => {
    const within = call.params['within'] as string;
    if (!/^[+-]?\d+$/.test(within)) throw new HttpError(400, 'bad_request', 'Invalid expiration value.');
    const unitMs = UNIT_MS[(call.params['unit'] as string).toLowerCase()];
    if (unitMs === undefined) throw new HttpError(400, 'bad_request', 'Time unit not recognised. Supported units: days, weeks, months, years.');
    const before = api.now() + Number(within) * unitMs;
    const expired = api.listenerCertificates().flatMap((l) => {
      const cert = expiring(l.certfileNotAfter, before);
      const ca = expiring(l.cacertfileNotAfter, before);
      if (Array.isArray(cert) && cert.length === 0 && Array.isArray(ca) && ca.length === 0) return [];
      return [{ node: api.node, protocol: l.protocol, interface: l.ipAddress, port: l.port, certfile: l.certfile, cacertfile: l.cacertfile, certfile_expires_on: cert, cacertfile_expires_on: ca }];
    });
    return expired.length === 0 ? { status: 'ok' } : failed(call, { reason: 'Certificates expiring', expired });
  }, params('within', 'unit'));
}
