import type { FastifyRequest } from 'fastify';
import { BASIC_REALM, HttpError, NoCredentials, notFound } from './errors.js';
import type { ManagementBroker } from './management-broker.js';

/** Who is asking, with RabbitMQ's tag rules worked out once per request. */
export interface HttpPrincipal {
  readonly name: string;
  readonly tags: readonly string[];
  /** administrator: everything, every vhost. */
  readonly admin: boolean;
  /** monitoring or administrator: every connection, channel, consumer, node; every vhost's name. */
  readonly monitor: boolean;
}

const MANAGEMENT_TAGS = ['management', 'policymaker', 'monitoring', 'administrator'];

// RabbitMQ 3.10's bodies, byte for byte (its "not_authorized" for a failed login, "not_authorised" for the rest).
// A script's request (X-Requested-With, as the dashboard and jQuery send it) gets no Basic challenge: a browser answers a
// challenge with its own login dialog over the page, or in headless mode stalls the request (README, deviations).
const loginFailed = (request: FastifyRequest): HttpError =>
  new HttpError(401, 'not_authorized', 'Login failed', request.headers['x-requested-with'] === undefined ? { 'www-authenticate': BASIC_REALM } : {});
const refused = (reason: string): HttpError => new HttpError(401, 'not_authorised', reason);

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/** Basic auth against the users store; RabbitMQ's refusals for a user without a management tag and a loopback-only user elsewhere. */
export function authenticate(api: ManagementBroker, request: FastifyRequest): HttpPrincipal {
  const header = request.headers.authorization;
  if (header === undefined) throw new NoCredentials();
  const match = /^basic\s+(\S+)\s*$/i.exec(header);
  if (match === null) throw loginFailed(request);
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw loginFailed(request);
  const user = api.login(decoded.slice(0, colon), decoded.slice(colon + 1));
  if (user === undefined) throw loginFailed(request);
  if (user.loopbackOnly && !isLoopback(request.ip)) throw refused('User can only log in via localhost');
  if (!user.tags.some((t) => MANAGEMENT_TAGS.includes(t))) throw refused('Not management user');
  const admin = user.tags.includes('administrator');
  return { name: user.name, tags: user.tags, admin, monitor: admin || user.tags.includes('monitoring') };
}

export function requireAdmin(p: HttpPrincipal): void {
  if (!p.admin) throw refused('Not administrator user');
}

export function requireMonitor(p: HttpPrincipal): void {
  if (!p.monitor) throw refused('Not monitor user');
}

/**
 * Whether the user may read a vhost's objects: administrators always (RabbitMQ 3.10 shows them every
 * vhost); others, monitoring included, only where they have permissions.
 */
export function canSeeVhost(api: ManagementBroker, p: HttpPrincipal, vhost: string): boolean {
  return p.admin || api.permissions({ user: p.name, vhost }).length > 0;
}

/** A vhost named in a path: 404 when there is none (checked first, as RabbitMQ does), 401 when not visible. */
export function checkVhost(api: ManagementBroker, p: HttpPrincipal, vhost: string): void {
  if (api.vhostMetadata(vhost) === undefined) throw notFound();
  if (!canSeeVhost(api, p, vhost)) throw refused('User not authorised to access virtual host');
}

/** The vhosts whose objects a list shows this user: undefined for all. */
export function visibleVhosts(api: ManagementBroker, p: HttpPrincipal): ReadonlySet<string> | undefined {
  if (p.admin) return undefined;
  return new Set(api.permissions({ user: p.name }).map((perm) => perm.vhost));
}

/** Connections, channels and consumers: monitoring and administrators see all, others their own. */
export function seesAllConnections(p: HttpPrincipal): boolean {
  return p.monitor;
}
