import type { FastifyInstance } from 'fastify';
import type { ResourceRef } from '../../core/snapshots.js';
import { checkVhost, visibleVhosts } from '../auth.js';
import { notFound } from '../errors.js';
import { bindingJson, consumerJson, DEFAULT_EXCHANGE_PATH, exchangeJson, queueJson } from '../format.js';
import { LIST_QUERY_SCHEMA, listResponse, type Json, type ListQuery } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call } from '../routing.js';
import { BINDING_SCHEMA, EXCHANGE_SCHEMA, listSchemas, QUEUE_SCHEMA } from '../schemas.js';
import { exchangeWriteHandlers } from './exchange-writes.js';
import { queueWriteHandlers } from './queue-writes.js';

const queueList = listSchemas(QUEUE_SCHEMA);
const exchangeList = listSchemas(EXCHANGE_SCHEMA);
export const bindingList = listSchemas(BINDING_SCHEMA);
export const params = (...names: string[]) =>
  ({ type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])), required: names }) as const;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const byVhostName = (a: ResourceRef, b: ResourceRef): number => cmp(a.vhost, b.vhost) || cmp(a.name, b.name);

/** The keys of the vhosts the caller may see; a vhost in the path is checked (404, then 401). */
export function keysIn(api: ManagementBroker, call: Call, all: (vhost?: string) => readonly ResourceRef[]): readonly ResourceRef[] {
  const vhost = call.params['vhost'];
  if (vhost !== undefined) {
    checkVhost(api, call.principal, vhost);
    return all(vhost);
  }
  const visible = visibleVhosts(api, call.principal);
  const keys = all();
  return visible === undefined ? keys : keys.filter((k) => visible.has(k.vhost));
}

const exchangeName = (pathName: string): string => (pathName === DEFAULT_EXCHANGE_PATH ? '' : pathName);

export function queueExchangeRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const rm = api.readModel;
  const formatQueues = (keys: readonly ResourceRef[]): Json[] => rm.queuesOf(keys).map(queueJson);
  const listQueues = (call: Call) =>
    listResponse({ keys: keysIn(api, call, (v) => rm.queueKeys(v)), nameOf: (k) => k.name, compareKeys: byVhostName, keyFields: ['name', 'vhost'], format: formatQueues }, call.query as ListQuery);
  const queuesGet = { querystring: LIST_QUERY_SCHEMA, response: queueList.array, paged: queueList.paged, handle: listQueues };
  resource(app, api, '/api/queues', { GET: queuesGet });
  resource(app, api, '/api/queues/:vhost', { GET: { ...queuesGet, params: params('vhost') } });
  resource(app, api, '/api/queues/:vhost/:name', {
    GET: {
      params: params('vhost', 'name'),
      response: QUEUE_SCHEMA,
      handle: ({ principal, params: p }) => {
        const vhost = p['vhost'] as string;
        checkVhost(api, principal, vhost);
        const q = rm.queue(vhost, p['name'] as string);
        if (q === undefined) throw notFound();
        const consumers = rm.consumers(vhost).filter((c) => c.queue.name === q.name).map((c) => consumerJson(c, api.node));
        return { ...queueJson(q), consumer_details: consumers };
      },
    },
    ...queueWriteHandlers(api),
  });
  resource(app, api, '/api/queues/:vhost/:name/bindings', {
    GET: {
      params: params('vhost', 'name'),
      response: bindingList.array,
      handle: ({ principal, params: p }) => {
        const vhost = p['vhost'] as string;
        checkVhost(api, principal, vhost);
        if (rm.queue(vhost, p['name'] as string) === undefined) throw notFound();
        return rm.bindings(vhost).filter((b) => b.destinationType === 'queue' && b.destination === p['name']).map(bindingJson);
      },
    },
  });

  const exchangeKeys = (vhost?: string): ResourceRef[] => rm.exchanges(vhost).map((x) => ({ vhost: x.vhost, name: x.name }));
  const formatExchanges = (keys: readonly ResourceRef[]): Json[] =>
    keys.flatMap((k) => {
      const x = rm.exchange(k.vhost, k.name);
      return x === undefined ? [] : [exchangeJson(x)];
    });
  const listExchanges = (call: Call) =>
    listResponse({ keys: keysIn(api, call, exchangeKeys), nameOf: (k) => k.name, compareKeys: byVhostName, keyFields: ['name', 'vhost'], format: formatExchanges }, call.query as ListQuery);
  const exchangesGet = { querystring: LIST_QUERY_SCHEMA, response: exchangeList.array, paged: exchangeList.paged, handle: listExchanges };
  resource(app, api, '/api/exchanges', { GET: exchangesGet });
  resource(app, api, '/api/exchanges/:vhost', { GET: { ...exchangesGet, params: params('vhost') } });
  const oneExchange = (call: Call): string => {
    const vhost = call.params['vhost'] as string;
    checkVhost(api, call.principal, vhost);
    const name = exchangeName(call.params['name'] as string);
    if (rm.exchange(vhost, name) === undefined) throw notFound();
    return name;
  };
  resource(app, api, '/api/exchanges/:vhost/:name', {
    GET: {
      params: params('vhost', 'name'),
      response: EXCHANGE_SCHEMA,
      handle: (call) => exchangeJson(rm.exchange(call.params['vhost'] as string, oneExchange(call)) as NonNullable<ReturnType<typeof rm.exchange>>),
    },
    ...exchangeWriteHandlers(api),
  });
  for (const side of ['source', 'destination'] as const) {
    resource(app, api, `/api/exchanges/:vhost/:name/bindings/${side}`, {
      GET: {
        params: params('vhost', 'name'),
        response: bindingList.array,
        handle: (call) => {
          const name = oneExchange(call);
          const all = rm.bindings(call.params['vhost']);
          const mine = side === 'source' ? all.filter((b) => b.source === name) : all.filter((b) => b.destinationType === 'exchange' && b.destination === name);
          return mine.map(bindingJson);
        },
      },
    });
  }
}
