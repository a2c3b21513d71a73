import type { FastifyInstance } from 'fastify';
import type { BindingSnapshot } from '../../core/snapshots.js';
import { checkVhost, visibleVhosts } from '../auth.js';
import { notFound } from '../errors.js';
import { bindingJson, DEFAULT_EXCHANGE_PATH } from '../format.js';
import { LIST_QUERY_SCHEMA, listResponse, type ListQuery } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call } from '../routing.js';
import { bindingCreateHandler } from './binding-writes.js';
import { bindingList, params } from './queues-exchanges.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const order = (a: BindingSnapshot, b: BindingSnapshot): number =>
  cmp(a.vhost, b.vhost) || cmp(a.source, b.source) || cmp(a.destinationType, b.destinationType) || cmp(a.destination, b.destination) || cmp(a.routingKey, b.routingKey);

/** /api/bindings, per vhost, and between one exchange and one queue or exchange. */
export function bindingRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const rm = api.readModel;
  const visible = (call: Call): readonly BindingSnapshot[] => {
    const vhost = call.params['vhost'];
    if (vhost !== undefined) {
      checkVhost(api, call.principal, vhost);
      return rm.bindings(vhost);
    }
    const seen = visibleVhosts(api, call.principal);
    const all = rm.bindings();
    return seen === undefined ? all : all.filter((b) => seen.has(b.vhost));
  };
  const list = (call: Call) =>
    listResponse({ keys: visible(call), nameOf: (b) => b.routingKey, compareKeys: order, keyFields: [], format: (bs) => bs.map(bindingJson) }, call.query as ListQuery);
  const get = { querystring: LIST_QUERY_SCHEMA, response: bindingList.array, paged: bindingList.paged, handle: list };
  resource(app, api, '/api/bindings', { GET: get });
  resource(app, api, '/api/bindings/:vhost', { GET: { ...get, params: params('vhost') } });
  for (const [letter, type] of [['q', 'queue'], ['e', 'exchange']] as const) {
    resource(app, api, `/api/bindings/:vhost/e/:source/${letter}/:destination`, {
      GET: {
        params: params('vhost', 'source', 'destination'),
        response: bindingList.array,
        handle: (call) => {
          const vhost = call.params['vhost'] as string;
          checkVhost(api, call.principal, vhost);
          const source = call.params['source'] === DEFAULT_EXCHANGE_PATH ? '' : (call.params['source'] as string);
          const destination = call.params['destination'] as string;
          if (rm.exchange(vhost, source) === undefined) throw notFound();
          if (type === 'queue' ? rm.queue(vhost, destination) === undefined : rm.exchange(vhost, destination) === undefined) throw notFound();
          return rm
            .bindings(vhost)
            .filter((b) => b.source === source && b.destinationType === type && b.destination === destination)
            .sort(order)
            .map(bindingJson);
        },
      },
      POST: bindingCreateHandler(api, letter, type),
    });
  }
}
