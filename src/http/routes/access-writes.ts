import type { FastifyInstance, FastifyReply } from 'fastify';
import type { UserInput } from '../../core/security/users.js';
import { requireAdmin } from '../auth.js';
import { notFound } from '../errors.js';
import { emptyVhostTotals, permissionJson, userJson, vhostJson } from '../format.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { PERMISSION_SCHEMA, USER_SCHEMA, VHOST_SCHEMA } from '../schemas.js';
import { badRequest, checkName, requireKeys } from '../write-scope.js';
import { vhostTotals } from './vhosts-users.js';

export const params = (...names: string[]) =>
  ({ type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])), required: names }) as const;
/** A PUT's answer: 201 created or 204 updated, no body (RabbitMQ's cowboy_rest). */
export const EMPTY = { type: 'null' } as const;
export const answered = (reply: FastifyReply, created: boolean): FastifyReply => reply.code(created ? 201 : 204).send();

const str = { type: 'string' } as const;
const tagsSchema = { anyOf: [str, { type: 'array', items: str }] } as const;
const boolish = { type: ['boolean', 'string'] } as const;

const VHOST_BODY = {
  type: 'object',
  properties: { description: str, tags: tagsSchema, default_queue_type: str, tracing: boolish },
} as const;
const USER_BODY = {
  type: 'object',
  properties: { password: str, password_hash: str, hashing_algorithm: str, tags: tagsSchema, administrator: boolish, limits: { type: 'object' } },
} as const;
const PERMISSION_BODY = { type: 'object', properties: { configure: str, write: str, read: str } } as const;
const BULK_DELETE_BODY = { type: 'object', properties: { users: { type: 'array', items: str } } } as const;

/** RabbitMQ's tag_list_from: a comma-separated string or a list, each trimmed. */
const tagList = (tags: string | readonly string[]): string[] =>
  (typeof tags === 'string' ? tags.split(',') : [...tags]).map((t) => t.trim()).filter((t) => t !== '');

/** rabbit_misc:parse_bool's refusal, as text. */
function parseBool(v: boolean | string | undefined): boolean | undefined {
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw badRequest(`not_boolean: ${v}`);
}

/** PUT/DELETE of /api/vhosts/V, /api/users/U and /api/permissions/V/U with their GETs; bulk-delete; without-permissions. */
export function accessWriteRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const ops = api.access;

  resource(app, api, '/api/vhosts/:vhost', {
    GET: {
      params: params('vhost'),
      response: VHOST_SCHEMA,
      handle: ({ principal, params: p }) => {
        requireAdmin(principal); // RabbitMQ 3.10: administrators only, even for a vhost one may use
        const name = p['vhost'] as string;
        const meta = api.vhostMetadata(name);
        if (meta === undefined) throw notFound();
        return vhostJson(name, meta, api.node, vhostTotals(api).get(name) ?? emptyVhostTotals());
      },
    },
    PUT: {
      params: params('vhost'),
      body: VHOST_BODY,
      status: 201,
      response: EMPTY,
      handle: async ({ principal, params: p, body, reply }) => {
        requireAdmin(principal);
        const name = p['vhost'] as string;
        checkName('vhost', name);
        const b = body as { description?: string; tags?: string | string[]; default_queue_type?: string; tracing?: boolean | string };
        parseBool(b.tracing); // accepted, checked as RabbitMQ checks it; Warren has no tracing (README)
        const meta = { description: b.description ?? '', tags: tagList(b.tags ?? []), ...(b.default_queue_type === undefined ? {} : { defaultQueueType: b.default_queue_type }) };
        try {
          return answered(reply, await ops.putVhost(name, meta, principal.name));
        } catch (err) {
          if (err instanceof RangeError) throw badRequest(err.message);
          throw err;
        }
      },
    },
    DELETE: {
      params: params('vhost'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal);
        if (!(await ops.deleteVhost(p['vhost'] as string))) throw notFound();
      },
    },
  });

  resource(app, api, '/api/users/:user', {
    GET: {
      params: params('user'),
      response: USER_SCHEMA,
      handle: ({ principal, params: p }) => {
        requireAdmin(principal);
        const u = api.user(p['user'] as string);
        if (u === undefined) throw notFound();
        return userJson(u);
      },
    },
    PUT: {
      params: params('user'),
      body: USER_BODY,
      status: 201,
      response: EMPTY,
      handle: async ({ principal, params: p, body, reply }) => {
        requireAdmin(principal);
        const name = p['user'] as string;
        checkName('user', name);
        const b = body as { password?: string; password_hash?: string; hashing_algorithm?: string; tags?: string | string[]; administrator?: boolean | string; limits?: Record<string, unknown> };
        let tags: string[];
        if (b.tags !== undefined) tags = tagList(b.tags);
        else if (b.administrator !== undefined) tags = parseBool(b.administrator) === true ? ['administrator'] : [];
        else throw badRequest('tags_not_present');
        if (b.password !== undefined && b.password_hash !== undefined) throw badRequest('both_password_and_password_hash_are_provided');
        if (b.password_hash !== undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(b.password_hash)) throw badRequest(`not_base64: ${b.password_hash}`);
        // Neither: a user who cannot log in with a password (RabbitMQ 3.10 hashes ""; Warren stores no hash).
        const secret: Partial<UserInput> =
          b.password !== undefined ? { password: b.password }
          : b.password_hash !== undefined ? { passwordHash: b.password_hash, ...(b.hashing_algorithm === undefined ? {} : { hashingAlgorithm: b.hashing_algorithm }) }
          : { passwordHash: '' };
        return answered(reply, await ops.putUser({ name, ...secret, tags, ...(b.limits === undefined ? {} : { limits: userLimits(b.limits) }) }));
      },
    },
    DELETE: {
      params: params('user'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal); // RabbitMQ lets an administrator delete itself; so does Warren
        if (!(await ops.deleteUser(p['user'] as string))) throw notFound();
      },
    },
  });

  resource(app, api, '/api/users/bulk-delete', {
    POST: {
      body: BULK_DELETE_BODY,
      status: 204,
      response: EMPTY,
      handle: async ({ principal, body }) => {
        requireAdmin(principal);
        requireKeys(body, ['users']);
        const names = (body as { users: string[] }).users;
        // RabbitMQ deletes in order and stops at the first unknown name; Warren checks first, so nothing changes.
        const missing = names.find((n) => api.user(n) === undefined);
        if (missing !== undefined) throw badRequest(`no_such_user: ${missing}`);
        for (const n of names) await ops.deleteUser(n);
      },
    },
  });

  resource(app, api, '/api/users/without-permissions', {
    GET: {
      response: { type: 'array', items: USER_SCHEMA },
      handle: ({ principal }) => {
        requireAdmin(principal);
        const withPermissions = new Set(api.permissions().map((perm) => perm.user));
        return api.users().filter((u) => !withPermissions.has(u.name)).sort((a, b) => (a.name < b.name ? -1 : 1)).map(userJson);
      },
    },
  });

  resource(app, api, '/api/permissions/:vhost/:user', {
    GET: {
      params: params('vhost', 'user'),
      response: PERMISSION_SCHEMA,
      handle: ({ principal, params: p }) => {
        requireAdmin(principal);
        const [perm] = api.permissions({ user: p['user'] as string, vhost: p['vhost'] as string });
        if (perm === undefined) throw notFound();
        return permissionJson(perm);
      },
    },
    PUT: {
      params: params('vhost', 'user'),
      body: PERMISSION_BODY,
      status: 201,
      response: EMPTY,
      handle: async ({ principal, params: p, body, reply }) => {
        requireAdmin(principal);
        const user = p['user'] as string;
        const vhost = p['vhost'] as string;
        if (api.user(user) === undefined || api.vhostMetadata(vhost) === undefined) throw badRequest('vhost_or_user_not_found');
        requireKeys(body, ['configure', 'write', 'read']);
        const b = body as { configure: string; write: string; read: string };
        return answered(reply, await ops.setPermission({ user, vhost, configure: b.configure, write: b.write, read: b.read }));
      },
    },
    DELETE: {
      params: params('vhost', 'user'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal);
        if (!(await ops.clearPermission(p['user'] as string, p['vhost'] as string))) throw notFound();
      },
    },
  });
}

/** A user's limits as RabbitMQ's JSON names them; an unknown key or a non-integer is refused with its text. */
export function userLimits(json: Record<string, unknown>): { maxConnections?: number; maxChannels?: number } {
  const out: { maxConnections?: number; maxChannels?: number } = {};
  const unknown = Object.keys(json).filter((k) => k !== 'max-connections' && k !== 'max-channels');
  if (unknown.length > 0) throw badRequest(`Unrecognised terms [${unknown.map((k) => `{<<"${k}">>,${JSON.stringify(json[k])}}`).join(',')}] in user-limits`);
  for (const [key, field] of [['max-connections', 'maxConnections'], ['max-channels', 'maxChannels']] as const) {
    const v = json[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw badRequest(`${key} should be a number, actually was ${erlangish(v)}`);
    out[field] = v;
  }
  return out;
}

/** A JSON value printed as RabbitMQ prints it in these texts (strings as <<"...">>). */
export const erlangish = (v: unknown): string => (typeof v === 'string' ? `<<"${v}">>` : JSON.stringify(v));
