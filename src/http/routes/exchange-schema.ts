import type { FastifyInstance } from 'fastify';
import type { ExchangeSchemaSnapshot } from '../../core/snapshots.js';
import { checkVhost } from '../auth.js';
import { notFound } from '../errors.js';
import { DEFAULT_EXCHANGE_PATH } from '../format.js';
import type { Json } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { params } from './access-writes.js';

/*
 * GET /api/exchanges/{vhost}/{name}/schema: an x-schema exchange's schema (as given and as resolved),
 * its per-key schemas, limits and counters, and its last invalid messages, oldest first (Warren's;
 * the dashboard's exchange page shows it). 404 for an exchange without x-schema or x-schema-by-key.
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const SCHEMA_VIEW = {
  type: 'object',
  properties: {
    vhost: str,
    exchange: str,
    source: { type: ['string', 'null'] },
    schema: {},
    by_key: { type: 'array', items: { type: 'object', properties: { pattern: str, source: str, schema: {} } } },
    registered: { type: 'array', items: str },
    content_types: { type: 'array', items: str },
    max_bytes: int,
    max_depth: int,
    schema_stats: { type: 'object', properties: { valid: int, invalid: int, unparseable: int, dropped: int } },
    invalid_messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: { timestamp: int, routing_key: str, verdict: str, reason: str, outcome: str, payload_bytes: int, payload: str },
      },
    },
  },
} as const;

export function schemaViewJson(s: ExchangeSchemaSnapshot): Json {
  return {
    vhost: s.vhost,
    exchange: s.exchange,
    source: s.source ?? null,
    schema: s.schema ?? null,
    by_key: s.byKey.map((k) => ({ pattern: k.pattern, source: k.source, schema: k.schema })),
    registered: [...s.registered],
    content_types: [...s.contentTypes],
    max_bytes: s.maxBytes,
    max_depth: s.maxDepth,
    schema_stats: { ...s.stats },
    invalid_messages: s.invalidMessages.map((m) => ({
      timestamp: m.at, routing_key: m.routingKey, verdict: m.verdict, reason: m.reason, outcome: m.outcome, payload_bytes: m.bodySize, payload: m.bodyStart,
    })),
  };
}

export function exchangeSchemaRoutes(app: FastifyInstance, api: ManagementBroker): void {
  resource(app, api, '/api/exchanges/:vhost/:name/schema', {
    GET: {
      params: params('vhost', 'name'),
      response: SCHEMA_VIEW,
      handle: ({ principal, params: p }) => {
        const vhost = p['vhost'] as string;
        checkVhost(api, principal, vhost);
        const name = p['name'] === DEFAULT_EXCHANGE_PATH ? '' : (p['name'] as string);
        const view = api.readModel.exchangeSchema(vhost, name);
        if (view === undefined) throw notFound();
        return schemaViewJson(view);
      },
    },
  });
}
