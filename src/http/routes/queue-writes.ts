import type { FastifyInstance } from 'fastify';
import { checkVhost } from '../auth.js';
import { HttpError, notFound } from '../errors.js';
import { gotMessageJson } from '../message-json.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call, type Handler } from '../routing.js';
import { ERROR_SCHEMA } from '../schemas.js';
import type { AckMode } from '../topology-ops.js';
import { argumentsOf, bodyOf, directRequest, parseBool, parseInt, withChannel } from '../write-input.js';
import { EMPTY_RESPONSE, anyJson, checkNameLength, pathParams, refuseEmptyName, writableVhost } from './write-common.js';

/*
 * PUT and DELETE /api/queues/{vhost}/{name}, DELETE .../contents (purge), POST .../get: what
 * RabbitMQ 3.10's rabbit_mgmt_wm_queue, _queue_purge and _queue_get do, in their order of checks.
 */

const QUEUE_BODY = {
  type: 'object',
  properties: {
    durable: anyJson('true or false (or "true"/"false"); default false'),
    auto_delete: anyJson('true or false (or "true"/"false"); default false'),
    arguments: anyJson('an object of queue arguments (x-max-length, x-queue-type, ...)'),
    exclusive: anyJson('accepted as RabbitMQ does: the queue is not exclusive (no connection owns it) and not durable'),
    passive: anyJson('true: only check that the queue exists (404 otherwise)'),
    node: anyJson('this node (or absent); any other is refused, as RabbitMQ cannot reach a node not in its cluster'),
  },
} as const;

const GET_BODY = {
  type: 'object',
  properties: {
    count: anyJson('how many messages (an integer or a decimal string); required'),
    ackmode: anyJson('ack_requeue_true, ack_requeue_false, reject_requeue_true or reject_requeue_false; required'),
    encoding: anyJson('auto (a string when the payload is UTF-8) or base64; required'),
    truncate: anyJson('the most payload bytes shown'),
  },
} as const;

const str = { type: 'string' } as const;
const GOT_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      payload_bytes: { type: 'integer' },
      redelivered: { type: 'boolean' },
      exchange: str,
      routing_key: str,
      message_count: { type: 'integer' },
      properties: anyJson('the set properties, or [] when none is (as RabbitMQ prints an empty proplist)'),
      payload: str,
      payload_encoding: str,
    },
  },
} as const;

const ACK_MODES: readonly string[] = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'] satisfies AckMode[];

const queueParams = pathParams('vhost', 'name');

/** rabbit_mgmt_util:direct_request runs the declare on the node the body names: Warren has one. */
function checkNode(api: ManagementBroker, node: unknown): void {
  if (node === undefined || node === null || node === api.node) return;
  const text = String(node);
  throw new HttpError(400, 'bad_request', `Node ${text.includes('@') ? text : `${text}@${api.node.split('@')[1] ?? 'localhost'}`} could not be contacted`);
}

/** The existing queue a DELETE names: RabbitMQ's resource_exists (404 Object Not Found) before anything else. */
function existingQueue(api: ManagementBroker, call: Call): { vhost: string; name: string } {
  const vhost = call.params['vhost'] as string;
  const name = call.params['name'] as string;
  checkVhost(api, call.principal, vhost);
  if (api.readModel.queue(vhost, name) === undefined) throw notFound();
  return { vhost, name };
}

/** PUT and DELETE on /api/queues/{vhost}/{name}, beside its GET (routes/queues-exchanges.ts). */
export function queueWriteHandlers(api: ManagementBroker): { PUT: Handler; DELETE: Handler } {
  return {
    PUT: {
      params: queueParams,
      body: QUEUE_BODY,
      response: EMPTY_RESPONSE,
      status: 201,
      errors: { 204: EMPTY_RESPONSE },
      handle: async (call) => {
        const vhost = call.params['vhost'] as string;
        const name = call.params['name'] as string;
        refuseEmptyName(name);
        writableVhost(api, call.principal, vhost);
        checkNameLength('queue', name);
        const body = bodyOf(call.body);
        checkNode(api, body['node']);
        const durable = parseBool(body, 'durable', false);
        const autoDelete = parseBool(body, 'auto_delete', false);
        const args = argumentsOf(body);
        // Without a connection to own it, RabbitMQ's "exclusive" queue is neither exclusive nor durable.
        const exclusive = parseBool(body, 'exclusive', false);
        const passive = parseBool(body, 'passive', false);
        const req = { name, passive, durable: durable && !exclusive, autoDelete, arguments: args };
        const created = await directRequest(() => api.topology.declareQueue(call.principal.name, vhost, req));
        return call.reply.code(created ? 201 : 204).send();
      },
    },
    DELETE: {
      params: queueParams,
      querystring: { type: 'object', properties: { 'if-empty': str, 'if-unused': str } },
      response: EMPTY_RESPONSE,
      status: 204,
      handle: async (call) => {
        const { vhost, name } = existingQueue(api, call);
        // RabbitMQ reads the flags from the query string, exactly "true" ("True" is false).
        const ifEmpty = call.query['if-empty'] === 'true';
        const ifUnused = call.query['if-unused'] === 'true';
        await directRequest(() => api.topology.deleteQueue(call.principal.name, vhost, name, { ifEmpty, ifUnused }));
        return null;
      },
    },
  };
}

/** DELETE /api/queues/{vhost}/{name}/contents and POST /api/queues/{vhost}/{name}/get. */
export function queueWriteRoutes(app: FastifyInstance, api: ManagementBroker): void {
  resource(app, api, '/api/queues/:vhost/:name/contents', {
    DELETE: {
      params: queueParams,
      response: EMPTY_RESPONSE,
      status: 204,
      handle: async (call) => {
        const { vhost, name } = existingQueue(api, call);
        await directRequest(() => api.topology.purgeQueue(call.principal.name, vhost, name));
        return null;
      },
    },
  });
  resource(app, api, '/api/queues/:vhost/:name/get', {
    POST: {
      params: queueParams,
      body: GET_BODY,
      response: GOT_SCHEMA,
      errors: { 500: ERROR_SCHEMA },
      handle: async (call) => {
        const vhost = call.params['vhost'] as string;
        const name = call.params['name'] as string;
        // RabbitMQ 4.x: a missing vhost or queue is 404 before the body is read (3.10 let the get fail).
        if (api.vhostMetadata(vhost) === undefined) throw new HttpError(404, 'not_found', 'vhost_not_found');
        checkVhost(api, call.principal, vhost);
        if (api.readModel.queue(vhost, name) === undefined) throw new HttpError(404, 'not_found', 'queue_not_found');
        const body = bodyOf(call.body);
        const missing = ['ackmode', 'count', 'encoding'].filter((k) => body[k] === undefined || body[k] === null);
        if (missing.length > 0) throw new HttpError(400, 'bad_request', `[${missing.map((k) => `{key_missing,${k}}`).join(',')}]`);
        const ackmode = body['ackmode'];
        if (typeof ackmode !== 'string' || !ACK_MODES.includes(ackmode)) {
          throw new HttpError(400, 'bad_request', `Unsupported ackmode. Please use ${ACK_MODES.join(', ')}.`);
        }
        const count = parseInt(body['count']);
        const encoding = body['encoding'];
        if (encoding !== 'auto' && encoding !== 'base64') throw new HttpError(400, 'bad_request', 'Unsupported encoding. Please use auto or base64.');
        const truncate = body['truncate'] === undefined || body['truncate'] === null ? undefined : parseInt(body['truncate']);
        const got = await withChannel(() => api.topology.getMessages(call.principal.name, vhost, name, count, ackmode as AckMode));
        return got.map((m) => gotMessageJson(m, encoding, truncate));
      },
    },
  });
}
