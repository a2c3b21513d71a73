import type { FastifyInstance } from 'fastify';
import { canSeeVhost, requireAdmin } from '../auth.js';
import { notFound } from '../errors.js';
import { emptyVhostTotals, permissionJson, userJson, vhostJson, type VhostTotals } from '../format.js';
import { LIST_QUERY_SCHEMA, listResponse, type Json, type ListQuery } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { listSchemas, PERMISSION_SCHEMA, USER_SCHEMA, VHOST_SCHEMA } from '../schemas.js';

const vhostList = listSchemas(VHOST_SCHEMA);
const userList = listSchemas(USER_SCHEMA);
const permissionList = listSchemas(PERMISSION_SCHEMA);
const params = (...names: string[]) =>
  ({ type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])), required: names }) as const;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Each vhost's queue depths, connection bytes and message_stats, summed from the live objects (RabbitMQ's vhost totals). */
export function vhostTotals(api: ManagementBroker): Map<string, VhostTotals> {
  const totals = new Map<string, VhostTotals>();
  const of = (vhost: string): VhostTotals => {
    let t = totals.get(vhost);
    if (t === undefined) totals.set(vhost, (t = emptyVhostTotals()));
    return t;
  };
  for (const q of api.readModel.queues()) {
    const t = of(q.vhost);
    t.messages += q.messages;
    t.messages_details.rate += q.messagesRate;
    t.messages_ready += q.messagesReady;
    t.messages_ready_details.rate += q.messagesReadyRate;
    t.messages_unacknowledged += q.messagesUnacknowledged;
    t.messages_unacknowledged_details.rate += q.messagesUnacknowledgedRate;
  }
  // RabbitMQ's vhost recv_oct/send_oct: the bytes of its open connections.
  for (const c of api.readModel.connections()) {
    if (c.vhost === undefined) continue;
    const t = of(c.vhost);
    t.recv_oct += c.bytesIn;
    t.recv_oct_details.rate += c.bytesInRate;
    t.send_oct += c.bytesOut;
    t.send_oct_details.rate += c.bytesOutRate;
  }
  for (const [vhost, stats] of api.stats.vhostTotals()) of(vhost).message_stats = stats as unknown as Json;
  return totals;
}

/** /api/vhosts, /api/users, /api/permissions and their lists per user and vhost (one object's path: access-writes.ts). */
export function vhostUserRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const vhostsJson = (names: readonly string[]): Json[] => {
    const totals = vhostTotals(api);
    const out: Json[] = [];
    for (const name of names) {
      const meta = api.vhostMetadata(name);
      if (meta !== undefined) out.push(vhostJson(name, meta, api.node, totals.get(name) ?? emptyVhostTotals()));
    }
    return out;
  };

  resource(app, api, '/api/vhosts', {
    GET: {
      querystring: LIST_QUERY_SCHEMA,
      response: vhostList.array,
      paged: vhostList.paged,
      handle: ({ principal, query }) => {
        // Monitoring users see every vhost's name (RabbitMQ 3.10), not its objects.
        const names = api.readModel.vhostNames().filter((v) => principal.monitor || canSeeVhost(api, principal, v));
        return listResponse({ keys: names, nameOf: (n) => n, compareKeys: byName, keyFields: ['name'], format: vhostsJson }, query as ListQuery);
      },
    },
  });

  const usersList = (names: readonly string[]): Json[] => names.flatMap((n) => {
    const u = api.user(n);
    return u === undefined ? [] : [userJson(u)];
  });
  resource(app, api, '/api/users', {
    GET: {
      querystring: LIST_QUERY_SCHEMA,
      response: userList.array,
      paged: userList.paged,
      handle: ({ principal, query }) => {
        requireAdmin(principal);
        const names = api.users().map((u) => u.name);
        return listResponse({ keys: names, nameOf: (n) => n, compareKeys: byName, keyFields: ['name'], format: usersList }, query as ListQuery);
      },
    },
  });

  const permissionsList = (filter: { user?: string; vhost?: string }, query: ListQuery) => {
    const perms = api.permissions(filter);
    const keys = perms.map((_, i) => i);
    const cmp = (a: number, b: number): number => {
      const pa = perms[a] as (typeof perms)[number];
      const pb = perms[b] as (typeof perms)[number];
      return byName(pa.user, pb.user) || byName(pa.vhost, pb.vhost);
    };
    return listResponse(
      { keys, nameOf: (i) => (perms[i] as (typeof perms)[number]).user, compareKeys: cmp, keyFields: ['user'], format: (ks) => ks.map((i) => permissionJson(perms[i] as (typeof perms)[number])) },
      query,
    );
  };
  resource(app, api, '/api/permissions', {
    GET: {
      querystring: LIST_QUERY_SCHEMA,
      response: permissionList.array,
      paged: permissionList.paged,
      handle: ({ principal, query }) => {
        requireAdmin(principal);
        return permissionsList({}, query as ListQuery);
      },
    },
  });
  resource(app, api, '/api/users/:user/permissions', {
    GET: {
      params: params('user'),
      querystring: LIST_QUERY_SCHEMA,
      response: permissionList.array,
      paged: permissionList.paged,
      handle: ({ principal, params: p, query }) => {
        requireAdmin(principal);
        if (api.user(p['user'] as string) === undefined) throw notFound();
        return permissionsList({ user: p['user'] as string }, query as ListQuery);
      },
    },
  });
  resource(app, api, '/api/vhosts/:vhost/permissions', {
    GET: {
      params: params('vhost'),
      querystring: LIST_QUERY_SCHEMA,
      response: permissionList.array,
      paged: permissionList.paged,
      handle: ({ principal, params: p, query }) => {
        requireAdmin(principal);
        if (api.vhostMetadata(p['vhost'] as string) === undefined) throw notFound();
        return permissionsList({ vhost: p['vhost'] as string }, query as ListQuery);
      },
    },
  });
}
