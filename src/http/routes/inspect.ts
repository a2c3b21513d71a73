import type { FastifyInstance } from 'fastify';
import { MAX_BROWSE_COUNT } from '../../core/inspect/browse.js';
import type { ExplainedBinding } from '../../core/inspect/explain.js';
import { MAX_REDRIVE } from '../../core/inspect/redrive.js';
import { MAX_UNACKED_LIMIT } from '../../core/inspect/unacked-list.js';
import { plainTable } from '../../core/plain-values.js';
import { PublishRequestError } from '../../core/plain-properties.js';
import type { DeathReason } from '../../core/queue/dead-letter.js';
import { AmqpError } from '../../errors/index.js';
import { checkVhost } from '../auth.js';
import { HttpError } from '../errors.js';
import { DEFAULT_EXCHANGE_PATH } from '../format.js';
import type { ManagementBroker } from '../management-broker.js';
import { messageJson, type PayloadEncoding } from '../message-json.js';
import { resource, type Call } from '../routing.js';
import { params } from './queues-exchanges.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const free = { type: 'object', additionalProperties: true } as const;
const count = (max: number) => ({ type: 'integer', minimum: 0, maximum: max }) as const;

const BROWSE_QUERY = {
  type: 'object',
  properties: {
    from: { type: 'integer', minimum: 0 },
    count: count(MAX_BROWSE_COUNT),
    encoding: { type: 'string', enum: ['auto', 'base64'] },
    truncate: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;

const BROWSED_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      position: int,
      payload_bytes: int,
      redelivered: bool,
      exchange: str,
      routing_key: str,
      message_count: int,
      properties: free,
      payload: str,
      payload_encoding: str,
    },
  },
} as const;

const UNACKED_QUERY = {
  type: 'object',
  properties: { offset: { type: 'integer', minimum: 0 }, limit: count(MAX_UNACKED_LIMIT) },
  additionalProperties: false,
} as const;

const UNACKED_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      delivery_tag: int,
      consumer_tag: { type: ['string', 'null'] },
      channel_details: {
        type: 'object',
        properties: { name: str, number: int, connection_name: str, peer_host: str, peer_port: int, user: { type: ['string', 'null'] } },
      },
      age_ms: int,
      redelivered: bool,
      exchange: str,
      routing_key: str,
      payload_bytes: int,
    },
  },
} as const;

const REASONS = ['rejected', 'expired', 'maxlen', 'delivery_limit'] as const;

const REDRIVE_BODY = {
  type: 'object',
  properties: {
    exchange: { type: 'string', maxLength: 255 },
    routing_key: { type: 'string', maxLength: 255 },
    reason: { type: 'string', enum: REASONS },
    max: { type: 'integer', minimum: 0, maximum: MAX_REDRIVE },
  },
  additionalProperties: false,
} as const;

const REDRIVE_SCHEMA = { type: 'object', properties: { moved: int, skipped: int } } as const;

const EXPLAIN_BODY = {
  type: 'object',
  properties: { routing_key: { type: 'string', maxLength: 255 }, headers: free, properties: free },
  required: ['routing_key'],
  additionalProperties: false,
} as const;

const ref = { type: 'object', properties: { vhost: str, name: str } } as const;
const EXPLAIN_SCHEMA = {
  type: 'object',
  properties: {
    routed: bool,
    queues: { type: 'array', items: ref },
    bindings: {
      type: 'array',
      items: { type: 'object', properties: { source: str, vhost: str, destination: str, destination_type: str, routing_key: str, arguments: free } },
    },
    alternate_exchanges: { type: 'array', items: ref },
    delayed_by: { type: 'array', items: ref },
  },
} as const;

/**
 * The broker's refusals as the management API answers a channel's (rabbit_mgmt_util:with_channel):
 * ACCESS_REFUSED is 401 not_authorised with the AMQP text; a request a publish would refuse is 400.
 */
async function answer<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AmqpError && err.replyCode === 403) throw new HttpError(401, 'not_authorised', err.message);
    if (err instanceof PublishRequestError) throw new HttpError(err.status, typeof err.error === 'string' ? err.error : 'bad_request', err.reason);
    throw err;
  }
}

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

/** Browse, who holds what, redrive and explain (README "Beyond RabbitMQ"); the work is in core/inspect. */
export function inspectRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const ops = api.inspect;
  const target = (call: Call): { vhost: string; name: string; user: string } => {
    const vhost = call.params['vhost'] as string;
    checkVhost(api, call.principal, vhost);
    return { vhost, name: call.params['name'] as string, user: call.principal.name };
  };

  resource(app, api, '/api/queues/:vhost/:name/browse', {
    GET: {
      params: params('vhost', 'name'),
      querystring: BROWSE_QUERY,
      response: BROWSED_SCHEMA,
      handle: (call) =>
        answer(async () => {
          const { vhost, name, user } = target(call);
          const q = call.query;
          const encoding = (q['encoding'] ?? 'auto') as PayloadEncoding;
          const truncate = num(q['truncate']);
          const found = await ops.browse(vhost, name, { from: num(q['from']) ?? 0, count: num(q['count']) ?? 1, user });
          return found.map((m) => ({ position: m.position, ...messageJson(m.message, m.redelivered, m.behind, encoding, truncate) }));
        }),
    },
  });

  resource(app, api, '/api/queues/:vhost/:name/unacked', {
    GET: {
      params: params('vhost', 'name'),
      querystring: UNACKED_QUERY,
      response: UNACKED_SCHEMA,
      handle: (call) =>
        answer(() => {
          const { vhost, name, user } = target(call);
          const now = api.now();
          return ops.unacked(vhost, name, { offset: num(call.query['offset']), limit: num(call.query['limit']), user }).map((d) => ({
            delivery_tag: d.deliveryTag,
            consumer_tag: d.consumerTag ?? null,
            channel_details: {
              name: d.channel.name,
              number: d.channel.number,
              connection_name: d.channel.connection.name,
              peer_host: d.channel.connection.peerHost,
              peer_port: d.channel.connection.peerPort,
              user: d.channel.user ?? null,
            },
            age_ms: Math.max(0, now - d.deliveredAt),
            redelivered: d.redelivered,
            exchange: d.exchange,
            routing_key: d.routingKey,
            payload_bytes: d.payloadBytes,
          }));
        }),
    },
  });

  resource(app, api, '/api/queues/:vhost/:name/redrive', {
    POST: {
      params: params('vhost', 'name'),
      body: REDRIVE_BODY,
      response: REDRIVE_SCHEMA,
      handle: (call) =>
        answer(() => {
          const { vhost, name, user } = target(call);
          const b = (call.body ?? {}) as { exchange?: string; routing_key?: string; reason?: DeathReason; max?: number };
          const exchange = b.exchange === DEFAULT_EXCHANGE_PATH ? '' : b.exchange;
          return ops.redrive(vhost, name, { exchange, routingKey: b.routing_key, reason: b.reason, max: b.max, user });
        }),
    },
  });

  resource(app, api, '/api/exchanges/:vhost/:name/explain', {
    POST: {
      params: params('vhost', 'name'),
      body: EXPLAIN_BODY,
      response: EXPLAIN_SCHEMA,
      handle: (call) =>
        answer(() => {
          const { vhost, name, user } = target(call);
          const b = call.body as { routing_key: string; headers?: Record<string, unknown>; properties?: Record<string, unknown> };
          const r = ops.explain(vhost, name === DEFAULT_EXCHANGE_PATH ? '' : name, { ...b, user });
          const refOf = (n: string) => ({ vhost, name: n });
          return {
            routed: r.routed,
            queues: r.queues.map(refOf),
            bindings: r.bindings.map((x: ExplainedBinding) => ({
              source: x.source,
              vhost,
              destination: x.destination,
              destination_type: x.destinationType,
              routing_key: x.routingKey,
              arguments: plainTable(x.arguments),
            })),
            alternate_exchanges: r.alternateExchanges.map(refOf),
            delayed_by: r.delayedBy.map(refOf),
          };
        }),
    },
  });
}
