import type { FastifyInstance } from 'fastify';
import { checkVhost, seesAllConnections, visibleVhosts } from '../auth.js';
import { HttpError, notFound } from '../errors.js';
import { channelJson, connectionJson, consumerJson } from '../format.js';
import { LIST_QUERY_SCHEMA, listResponse, type Json, type ListQuery } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call } from '../routing.js';
import { CHANNEL_SCHEMA, CONNECTION_SCHEMA, CONSUMER_SCHEMA, listSchemas } from '../schemas.js';
import { params } from './queues-exchanges.js';

const connectionList = listSchemas(CONNECTION_SCHEMA);
const channelList = listSchemas(CHANNEL_SCHEMA);
const consumerList = listSchemas(CONSUMER_SCHEMA);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Connections, channels and consumers: monitoring and administrators see all, other users their own. */
export function connectionRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const rm = api.readModel;
  const own = (call: Call) => (user: string | undefined): boolean => seesAllConnections(call.principal) || user === call.principal.name;
  const inVhost = (call: Call): ((vhost: string | undefined) => boolean) => {
    const vhost = call.params['vhost'];
    if (vhost === undefined) return () => true;
    checkVhost(api, call.principal, vhost);
    return (v) => v === vhost;
  };
  const listOf = <T>(items: readonly T[], name: (t: T) => string, format: (t: T) => Json, q: ListQuery) =>
    listResponse({ keys: items, nameOf: name, compareKeys: (a, b) => cmp(name(a), name(b)), keyFields: ['name'], format: (ts) => ts.map(format) }, q);

  const connections = (call: Call) => {
    const v = inVhost(call);
    const mine = own(call);
    return listOf(rm.connections().filter((c) => mine(c.user) && v(c.vhost)), (c) => c.name, connectionJson, call.query as ListQuery);
  };
  const connectionsGet = { querystring: LIST_QUERY_SCHEMA, response: connectionList.array, paged: connectionList.paged, handle: connections };
  resource(app, api, '/api/connections', { GET: connectionsGet });
  resource(app, api, '/api/vhosts/:vhost/connections', { GET: { ...connectionsGet, params: params('vhost') } });
  const oneConnection = (call: Call) => {
    const c = rm.connection(call.params['name'] as string);
    // By RabbitMQ's name (`peer -> host`) or Warren's id; another user's connection is not found.
    if (c === undefined || !own(call)(c.user)) throw notFound();
    return c;
  };
  resource(app, api, '/api/connections/:name', {
    GET: { params: params('name'), response: CONNECTION_SCHEMA, handle: (call) => connectionJson(oneConnection(call)) },
    // RabbitMQ's is_authorized_user for DELETE: administrators close any connection, others only their own.
    DELETE: {
      params: params('name'),
      response: {},
      status: 204,
      handle: (call) => {
        const c = oneConnection(call);
        if (!call.principal.admin && c.user !== call.principal.name) throw new HttpError(401, 'not_authorised', 'User not authorised to access object');
        const header = call.reply.request.headers['x-reason'];
        const reason = typeof header === 'string' ? header : undefined;
        rm.closeConnection(c.id, reason);
        return null;
      },
    },
  });
  resource(app, api, '/api/connections/:name/channels', {
    GET: {
      params: params('name'),
      response: channelList.array,
      handle: (call) => rm.channels(oneConnection(call).id).map(channelJson),
    },
  });

  const channels = (call: Call) => {
    const v = inVhost(call);
    const mine = own(call);
    return listOf(rm.channels().filter((c) => mine(c.user) && v(c.vhost)), (c) => c.name, channelJson, call.query as ListQuery);
  };
  const channelsGet = { querystring: LIST_QUERY_SCHEMA, response: channelList.array, paged: channelList.paged, handle: channels };
  resource(app, api, '/api/channels', { GET: channelsGet });
  resource(app, api, '/api/vhosts/:vhost/channels', { GET: { ...channelsGet, params: params('vhost') } });
  resource(app, api, '/api/channels/:name', {
    GET: {
      params: params('name'),
      response: CHANNEL_SCHEMA,
      handle: (call) => {
        const mine = own(call);
        const ch = rm.channels().find((c) => c.name === call.params['name'] && mine(c.user));
        if (ch === undefined) throw notFound();
        return channelJson(ch);
      },
    },
  });

  const consumers = (call: Call) => {
    const vhost = call.params['vhost'];
    if (vhost !== undefined) checkVhost(api, call.principal, vhost);
    const mine = own(call);
    const seen = call.principal.monitor ? undefined : visibleVhosts(api, call.principal);
    const list = rm.consumers(vhost).filter((c) => mine(c.channel.user) && (seen === undefined || seen.has(c.queue.vhost)));
    return listOf(list, (c) => c.tag, (c) => consumerJson(c, api.node), call.query as ListQuery);
  };
  const consumersGet = { querystring: LIST_QUERY_SCHEMA, response: consumerList.array, paged: consumerList.paged, handle: consumers };
  resource(app, api, '/api/consumers', { GET: consumersGet });
  resource(app, api, '/api/consumers/:vhost', { GET: { ...consumersGet, params: params('vhost') } });
}
