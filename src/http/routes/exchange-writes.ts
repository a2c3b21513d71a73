import type { FastifyInstance } from 'fastify';
import { PublishRequestError } from '../../core/plain-properties.js';
import { checkVhost } from '../auth.js';
import { HttpError, notFound } from '../errors.js';
import { DEFAULT_EXCHANGE_PATH } from '../format.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call, type Handler } from '../routing.js';
import { argumentsOf, bodyOf, directRequest, parseBool } from '../write-input.js';
import { EMPTY_RESPONSE, anyJson, checkNameLength, pathParams, refuseEmptyName, writableVhost } from './write-common.js';

/*
 * PUT and DELETE /api/exchanges/{vhost}/{name} and POST .../publish, as RabbitMQ's
 * rabbit_mgmt_wm_exchange and _exchange_publish answer them.
 */

const EXCHANGE_BODY = {
  type: 'object',
  properties: {
    type: anyJson('direct, fanout, topic, headers or x-delayed-message; default direct'),
    durable: anyJson('true or false (or "true"/"false"); default false'),
    auto_delete: anyJson('true or false (or "true"/"false"); default false'),
    internal: anyJson('true or false (or "true"/"false"); default false'),
    arguments: anyJson('an object of exchange arguments (alternate-exchange, x-delayed-type)'),
    passive: anyJson('true: only check that the exchange exists (404 otherwise)'),
  },
} as const;

const PUBLISH_BODY = {
  type: 'object',
  properties: {
    properties: anyJson('basic properties: delivery_mode, headers, content_type, ...; required'),
    routing_key: anyJson('required'),
    payload: anyJson('required'),
    payload_encoding: anyJson('string or base64; required'),
  },
} as const;

const ROUTED_SCHEMA = { type: 'object', properties: { routed: { type: 'boolean' } } } as const;

const exchangeParams = pathParams('vhost', 'name');
const exchangeName = (call: Call): string => {
  const name = call.params['name'] as string;
  return name === DEFAULT_EXCHANGE_PATH ? '' : name;
};

/** An Erlang tuple in a reason ("{not_int,delivery_mode}"), as RabbitMQ's JSON shows it: an array. */
function reasonJson(reason: string): string | readonly unknown[] {
  const m = /^\{([a-z0-9_]+),(.*)\}$/s.exec(reason);
  if (m === null) return reason;
  const second = m[2] as string;
  if (/^"(?:[^"\\]|\\.)*"$/s.test(second)) return [m[1], JSON.parse(second) as string];
  return /^[a-z0-9_]+$/.test(second) ? [m[1], second] : reason;
}

/** broker.publish's refusals as RabbitMQ's API answers them (bad_request_exception: "<code> <text>"). */
function publishRefusal(err: PublishRequestError): HttpError {
  if (err.status === 404) return new HttpError(404, 'not_found', 'exchange_not_found');
  if (typeof err.error === 'number' || err.error === 'rejected') return new HttpError(400, 'bad_request', `${err.error} ${err.reason}`);
  return new HttpError(err.status, err.error, reasonJson(err.reason) as string);
}

/** PUT and DELETE on /api/exchanges/{vhost}/{name}, beside its GET (routes/queues-exchanges.ts). */
export function exchangeWriteHandlers(api: ManagementBroker): { PUT: Handler; DELETE: Handler } {
  return {
    PUT: {
      params: exchangeParams,
      body: EXCHANGE_BODY,
      response: EMPTY_RESPONSE,
      status: 201,
      errors: { 204: EMPTY_RESPONSE },
      handle: async (call) => {
        const vhost = call.params['vhost'] as string;
        const name = exchangeName(call);
        refuseEmptyName(call.params['name'] as string);
        writableVhost(api, call.principal, vhost);
        checkNameLength('exchange', name);
        const body = bodyOf(call.body);
        const type = body['type'] ?? 'direct';
        if (typeof type !== 'string') throw new HttpError(400, 'bad_request', ['not_string', 'type'] as never);
        const req = {
          name,
          type,
          passive: parseBool(body, 'passive', false),
          durable: parseBool(body, 'durable', false),
          autoDelete: parseBool(body, 'auto_delete', false),
          internal: parseBool(body, 'internal', false),
          arguments: argumentsOf(body),
        };
        const created = await directRequest(() => api.topology.declareExchange(call.principal.name, vhost, req));
        return call.reply.code(created ? 201 : 204).send();
      },
    },
    DELETE: {
      params: exchangeParams,
      querystring: { type: 'object', properties: { 'if-unused': { type: 'string' } } },
      response: EMPTY_RESPONSE,
      status: 204,
      handle: async (call) => {
        const vhost = call.params['vhost'] as string;
        const name = exchangeName(call);
        checkVhost(api, call.principal, vhost);
        if (api.readModel.exchange(vhost, name) === undefined) throw notFound();
        const ifUnused = call.query['if-unused'] === 'true';
        await directRequest(() => api.topology.deleteExchange(call.principal.name, vhost, name, ifUnused));
        return null;
      },
    },
  };
}

/** POST /api/exchanges/{vhost}/{name}/publish. */
export function exchangeWriteRoutes(app: FastifyInstance, api: ManagementBroker): void {
  resource(app, api, '/api/exchanges/:vhost/:name/publish', {
    POST: {
      params: exchangeParams,
      body: PUBLISH_BODY,
      response: ROUTED_SCHEMA,
      handle: async (call) => {
        const vhost = call.params['vhost'] as string;
        // RabbitMQ 4.x: a missing vhost or exchange is 404 before the body is read (3.10 let the publish fail).
        if (api.vhostMetadata(vhost) === undefined) throw new HttpError(404, 'not_found', 'vhost_not_found');
        checkVhost(api, call.principal, vhost);
        if (api.readModel.exchange(vhost, exchangeName(call)) === undefined) throw new HttpError(404, 'not_found', 'exchange_not_found');
        try {
          return await api.topology.publish(call.principal.name, vhost, call.params['name'] as string, call.body ?? {});
        } catch (err) {
          if (err instanceof PublishRequestError) throw publishRefusal(err);
          throw err;
        }
      },
    },
  });
}
