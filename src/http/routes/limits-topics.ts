import type { FastifyInstance } from 'fastify';
import type { TopicPermission } from '../../core/security/permissions.js';
import type { VhostLimits } from '../../core/vhost-meta.js';
import { canSeeVhost, requireAdmin, type HttpPrincipal } from '../auth.js';
import { notFound } from '../errors.js';
import type { Json } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { badRequest, requireKeys, requireVhostUse, vhostNotFound } from '../write-scope.js';
import { answered, EMPTY, erlangish, params, userLimits } from './access-writes.js';

const str = { type: 'string' } as const;
const TOPIC_PERMISSION_SCHEMA = { type: 'object', properties: { user: str, vhost: str, exchange: str, write: str, read: str } } as const;
const topicList = { type: 'array', items: TOPIC_PERMISSION_SCHEMA } as const;
const TOPIC_BODY = { type: 'object', properties: { exchange: str, write: str, read: str } } as const;
const LIMITS_SCHEMA = {
  type: 'array',
  items: { type: 'object', properties: { user: str, vhost: str, value: { type: 'object', additionalProperties: { type: 'integer' } } } },
} as const;
const VALUE_BODY = { type: 'object', properties: { value: {} } } as const;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const topicJson = (t: TopicPermission): Json => ({ user: t.user, vhost: t.vhost, exchange: t.exchange, write: t.write, read: t.read });
const sortedTopics = (list: readonly TopicPermission[]): Json[] =>
  [...list].sort((a, b) => byName(a.user, b.user) || byName(a.vhost, b.vhost) || byName(a.exchange, b.exchange)).map(topicJson);

/** RabbitMQ's JSON names of vhost limits, and back. */
export const VHOST_LIMIT_KEYS = [['max-connections', 'maxConnections'], ['max-queues', 'maxQueues']] as const;
export function vhostLimitsJson(l: VhostLimits): Json {
  const out: Json = {};
  for (const [key, field] of VHOST_LIMIT_KEYS) if (l[field] !== undefined) out[key] = l[field];
  return out;
}

/**
 * The vhost-limits value as rabbit_vhost_limit validates it (its "Validation failed" texts); merged
 * over `base` (one limit's PUT) or alone (the parameter's value). A negative value is no limit.
 */
export function vhostLimits(json: Record<string, unknown>, base: VhostLimits = {}): VhostLimits {
  const unknown = Object.keys(json).filter((k) => !VHOST_LIMIT_KEYS.some(([key]) => key === k));
  if (unknown.length > 0) throw badRequest(`Validation failed\n\nUnrecognised terms [${unknown.map((k) => `{<<"${k}">>,${JSON.stringify(json[k])}}`).join(',')}] in limits\n`);
  const out: { maxConnections?: number; maxQueues?: number } = { ...base };
  for (const [key, field] of VHOST_LIMIT_KEYS) {
    const v = json[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw badRequest(`Validation failed\n\n${key} should be a number, actually was ${erlangish(v)}\n`);
    out[field] = v;
  }
  return out;
}

function userLimitsJson(l: { maxConnections?: number; maxChannels?: number }): Json {
  const out: Json = {};
  if (l.maxConnections !== undefined) out['max-connections'] = l.maxConnections;
  if (l.maxChannels !== undefined) out['max-channels'] = l.maxChannels;
  return out;
}

/** The vhosts a user sees the names and limits of (RabbitMQ's list_visible_vhosts). */
const visible = (api: ManagementBroker, p: HttpPrincipal, vhost: string): boolean => p.monitor || canSeeVhost(api, p, vhost);

/** /api/topic-permissions[/V/U[/E]], users/U/topic-permissions, vhosts/V/topic-permissions, /api/user-limits..., /api/vhost-limits... */
export function limitTopicRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const ops = api.access;
  resource(app, api, '/api/topic-permissions', {
    GET: { response: topicList, handle: ({ principal }) => (requireAdmin(principal), sortedTopics(ops.topicPermissions())) },
  });
  resource(app, api, '/api/users/:user/topic-permissions', {
    GET: {
      params: params('user'),
      response: topicList,
      handle: ({ principal, params: p }) => {
        requireAdmin(principal);
        if (api.user(p['user'] as string) === undefined) throw notFound();
        return sortedTopics(ops.topicPermissions({ user: p['user'] as string }));
      },
    },
  });
  resource(app, api, '/api/vhosts/:vhost/topic-permissions', {
    GET: {
      params: params('vhost'),
      response: topicList,
      handle: ({ principal, params: p }) => {
        requireAdmin(principal);
        if (api.vhostMetadata(p['vhost'] as string) === undefined) throw notFound();
        return sortedTopics(ops.topicPermissions({ vhost: p['vhost'] as string }));
      },
    },
  });
  const topicsOf = (user: string, vhost: string): Json[] => {
    const list = ops.topicPermissions({ user, vhost });
    if (list.length === 0) throw notFound();
    return sortedTopics(list);
  };
  const topicPut = {
    params: { type: 'object' },
    body: TOPIC_BODY,
    status: 201,
    response: EMPTY,
    handle: async ({ principal, params: p, body, reply }: Parameters<import('../routing.js').Handler['handle']>[0]) => {
      requireAdmin(principal);
      const user = p['user'] as string;
      const vhost = p['vhost'] as string;
      if (api.user(user) === undefined || api.vhostMetadata(vhost) === undefined) throw badRequest('vhost_or_user_not_found');
      requireKeys(body, ['exchange', 'write', 'read']);
      const b = body as { exchange: string; write: string; read: string };
      return answered(reply, await ops.setTopicPermission({ user, vhost, exchange: b.exchange, write: b.write, read: b.read }));
    },
  };
  resource(app, api, '/api/topic-permissions/:vhost/:user', {
    GET: { params: params('vhost', 'user'), response: topicList, handle: ({ principal, params: p }) => (requireAdmin(principal), topicsOf(p['user'] as string, p['vhost'] as string)) },
    PUT: { ...topicPut, params: params('vhost', 'user') },
    DELETE: {
      params: params('vhost', 'user'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal);
        if ((await ops.clearTopicPermissions(p['user'] as string, p['vhost'] as string)) === 0) throw notFound();
      },
    },
  });
  resource(app, api, '/api/topic-permissions/:vhost/:user/:exchange', {
    // As RabbitMQ 3.10: GET lists all of the user's in the vhost; DELETE is 404 only when the user has none there.
    GET: { params: params('vhost', 'user', 'exchange'), response: topicList, handle: ({ principal, params: p }) => (requireAdmin(principal), topicsOf(p['user'] as string, p['vhost'] as string)) },
    PUT: { ...topicPut, params: params('vhost', 'user', 'exchange') },
    DELETE: {
      params: params('vhost', 'user', 'exchange'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal);
        topicsOf(p['user'] as string, p['vhost'] as string);
        await ops.clearTopicPermissions(p['user'] as string, p['vhost'] as string, p['exchange'] as string);
      },
    },
  });

  const userLimitRows = (names: readonly string[]): Json[] =>
    names.flatMap((n) => {
      const u = api.user(n);
      const value = u === undefined ? {} : userLimitsJson(u.limits);
      return Object.keys(value).length === 0 ? [] : [{ user: n, value }];
    });
  resource(app, api, '/api/user-limits', {
    GET: { response: LIMITS_SCHEMA, handle: () => userLimitRows(api.users().map((u) => u.name).sort(byName)) },
  });
  resource(app, api, '/api/user-limits/:user', {
    GET: {
      params: params('user'),
      response: LIMITS_SCHEMA,
      handle: ({ params: p }) => {
        if (api.user(p['user'] as string) === undefined) throw notFound();
        return userLimitRows([p['user'] as string]);
      },
    },
  });
  resource(app, api, '/api/user-limits/:user/:name', {
    PUT: {
      params: params('user', 'name'),
      body: VALUE_BODY,
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p, body }) => {
        requireAdmin(principal);
        requireKeys(body, ['value']);
        const user = api.user(p['user'] as string);
        const add = userLimits({ [p['name'] as string]: (body as { value: unknown }).value });
        if (user === undefined) throw badRequest(`no_such_user: ${p['user'] as string}`);
        // RabbitMQ: a negative limit is no limit (kept as -1 there, dropped here).
        await ops.setUserLimits(user.name, { ...user.limits, ...add });
      },
    },
    DELETE: {
      params: params('user', 'name'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal);
        const user = api.user(p['user'] as string);
        if (user === undefined) throw notFound(); // RabbitMQ 3.10: 500
        const limits: { maxConnections?: number; maxChannels?: number } = { ...user.limits };
        if (p['name'] === 'max-connections') delete limits.maxConnections;
        if (p['name'] === 'max-channels') delete limits.maxChannels;
        await ops.setUserLimits(user.name, limits);
      },
    },
  });

  const vhostLimitRows = (names: readonly string[]): Json[] =>
    names.flatMap((v) => {
      const meta = api.vhostMetadata(v);
      const value = meta === undefined ? {} : vhostLimitsJson(meta.limits);
      return Object.keys(value).length === 0 ? [] : [{ vhost: v, value }];
    });
  resource(app, api, '/api/vhost-limits', {
    GET: { response: LIMITS_SCHEMA, handle: ({ principal }) => vhostLimitRows(api.readModel.vhostNames().filter((v) => visible(api, principal, v)).sort(byName)) },
  });
  resource(app, api, '/api/vhost-limits/:vhost', {
    GET: {
      params: params('vhost'),
      response: LIMITS_SCHEMA,
      handle: ({ principal, params: p }) => {
        const vhost = p['vhost'] as string;
        if (api.vhostMetadata(vhost) === undefined) throw notFound();
        if (!visible(api, principal, vhost)) requireVhostUse(api, principal, vhost);
        return vhostLimitRows([vhost]);
      },
    },
  });
  resource(app, api, '/api/vhost-limits/:vhost/:name', {
    PUT: {
      params: params('vhost', 'name'),
      body: VALUE_BODY,
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p, body }) => {
        requireAdmin(principal);
        requireKeys(body, ['value']);
        const meta = api.vhostMetadata(p['vhost'] as string);
        if (meta === undefined) throw vhostNotFound();
        await ops.setVhostLimits(p['vhost'] as string, vhostLimits({ [p['name'] as string]: (body as { value: unknown }).value }, meta.limits));
      },
    },
    DELETE: {
      params: params('vhost', 'name'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        requireAdmin(principal);
        const meta = api.vhostMetadata(p['vhost'] as string);
        if (meta === undefined) throw notFound(); // RabbitMQ 3.10: 500
        const limits: { maxConnections?: number; maxQueues?: number } = { ...meta.limits };
        for (const [key, field] of VHOST_LIMIT_KEYS) if (p['name'] === key) delete limits[field];
        await ops.setVhostLimits(p['vhost'] as string, limits);
      },
    },
  });
}
