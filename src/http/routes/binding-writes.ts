import type { FastifyInstance } from 'fastify';
import { propertiesKey, quoteBinding } from '../../core/binding-key.js';
import { checkVhost } from '../auth.js';
import { HttpError, notFound } from '../errors.js';
import { bindingJson, DEFAULT_EXCHANGE_PATH } from '../format.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call, type Handler } from '../routing.js';
import { BINDING_SCHEMA } from '../schemas.js';
import type { BindingRequest } from '../topology-ops.js';
import { argumentsOf, bodyOf, directRequest } from '../write-input.js';
import { EMPTY_RESPONSE, anyJson, pathParams, writableVhost } from './write-common.js';

/*
 * POST /api/bindings/{vhost}/e/{source}/{q|e}/{destination} (201 with RabbitMQ's relative Location)
 * and GET / DELETE .../{props}, a binding named by its properties_key, as RabbitMQ's
 * rabbit_mgmt_wm_bindings and rabbit_mgmt_wm_binding answer them.
 */

const BINDING_BODY = {
  type: 'object',
  properties: {
    routing_key: { type: 'string', description: 'default ""' },
    arguments: anyJson('an object of binding arguments (x-match and the headers to match, ...)'),
  },
} as const;

type Kind = readonly ['q', 'queue'] | readonly ['e', 'exchange'];
const KINDS: readonly Kind[] = [['q', 'queue'], ['e', 'exchange']];

const fromPath = (name: string): string => (name === DEFAULT_EXCHANGE_PATH ? '' : name);
/** rabbit_http_util:quote_plus (~ kept, unlike in a properties_key). */
const quotePlus = (text: string): string => quoteBinding(text).replace(/%7E/g, '~');

/** rabbit_web_dispatch_util:relativise: the Location of a new binding, relative to the path it was posted to. */
function relativise(from: string, to: string): string {
  const rel = (f: readonly string[], t: readonly string[]): readonly string[] => {
    if (f.length === 1 && t[0] === f[0]) return t;
    if (f.length > 0 && t.length > 0 && f[0] === t[0]) return rel(f.slice(1), t.slice(1));
    if (t.length === 0) return f.map(() => '..');
    return f.length > 0 ? [...f.slice(1).map(() => '..'), ...t] : t;
  };
  const tokens = (path: string): string[] => path.split('/').filter((s) => s !== '');
  return rel(tokens(from), tokens(to)).join('/');
}

/** POST on /api/bindings/{vhost}/e/{source}/{q|e}/{destination}, beside its GET (routes/bindings.ts). */
export function bindingCreateHandler(api: ManagementBroker, letter: 'q' | 'e', destinationType: 'queue' | 'exchange'): Handler {
  return {
    params: pathParams('vhost', 'source', 'destination'),
    body: BINDING_BODY,
    response: EMPTY_RESPONSE,
    status: 201,
    handle: async (call) => {
      const vhost = call.params['vhost'] as string;
      writableVhost(api, call.principal, vhost);
      const body = bodyOf(call.body);
      const routingKey = body['routing_key'] ?? '';
      if (typeof routingKey !== 'string') throw new HttpError(400, 'bad_request', ['not_string', 'routing_key'] as never);
      if (Buffer.byteLength(routingKey, 'utf8') > 255) throw new HttpError(400, 'bad_request', ['string_too_long', 'routing_key'] as never);
      const source = fromPath(call.params['source'] as string);
      const destination = destinationType === 'exchange' ? fromPath(call.params['destination'] as string) : (call.params['destination'] as string);
      const req: BindingRequest = { source, destinationType, destination, routingKey, arguments: argumentsOf(body) };
      await directRequest(() => api.topology.bind(call.principal.name, vhost, req));
      const to = `/api/bindings/${[vhost].map(quotePlus)}/e/${[source, letter, destination, propertiesKey(routingKey, req.arguments)].map(quotePlus).join('/')}`;
      const from = (call.reply.request.raw.url ?? '').split('?')[0] as string;
      return call.reply.code(201).header('location', relativise(from, to)).send();
    },
  };
}

/** The binding a properties_key in the path names: 404 (Object Not Found) for a missing vhost, end or binding. */
function namedBinding(api: ManagementBroker, call: Call, destinationType: 'queue' | 'exchange'): BindingRequest {
  const vhost = call.params['vhost'] as string;
  checkVhost(api, call.principal, vhost);
  const source = fromPath(call.params['source'] as string);
  const destination = destinationType === 'exchange' ? fromPath(call.params['destination'] as string) : (call.params['destination'] as string);
  const found = api.topology.findBinding(vhost, source, destinationType, destination, call.params['props'] as string);
  if (found === undefined) throw notFound();
  return found;
}

/** GET and DELETE /api/bindings/{vhost}/e/{source}/{q|e}/{destination}/{props}. */
export function bindingWriteRoutes(app: FastifyInstance, api: ManagementBroker): void {
  for (const [letter, destinationType] of KINDS) {
    const p = pathParams('vhost', 'source', 'destination', 'props');
    resource(app, api, `/api/bindings/:vhost/e/:source/${letter}/:destination/:props`, {
      GET: {
        params: p,
        response: BINDING_SCHEMA,
        handle: (call) => {
          const b = namedBinding(api, call, destinationType);
          const key = propertiesKey(b.routingKey, b.arguments);
          const snapshot = api.readModel
            .bindings(call.params['vhost'])
            .find((s) => s.source === b.source && s.destinationType === destinationType && s.destination === b.destination && s.propertiesKey === key);
          if (snapshot === undefined) throw notFound();
          return bindingJson(snapshot);
        },
      },
      DELETE: {
        params: p,
        response: EMPTY_RESPONSE,
        status: 204,
        handle: async (call) => {
          const b = namedBinding(api, call, destinationType);
          await directRequest(() => api.topology.unbind(call.principal.name, call.params['vhost'] as string, b));
          return null;
        },
      },
    });
  }
}
