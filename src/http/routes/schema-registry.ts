import type { FastifyInstance } from 'fastify';
import type { SchemaView } from '../access-ops.js';
import { canSeeVhost, checkVhost } from '../auth.js';
import { HttpError, notFound } from '../errors.js';
import type { Json } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { badRequest, requireKeys, requirePolicymaker, vhostNotFound } from '../write-scope.js';
import { answered, EMPTY, params } from './access-writes.js';

/*
 * /api/schemas: Warren's JSON Schemas registered by name, which an exchange's x-schema or
 * x-schema-by-key may name (README "Schema-checked exchanges"). Reading is for whoever may use the
 * vhost; registering and deleting need policymaker (and the vhost) or administrator, as policies.
 */

const SCHEMA_JSON = {
  type: 'object',
  properties: {
    vhost: { type: 'string' },
    name: { type: 'string' },
    schema: {},
    exchanges: { type: 'array', items: { type: 'string' } },
  },
} as const;
const schemaList = { type: 'array', items: SCHEMA_JSON } as const;
const SCHEMA_BODY = { type: 'object', properties: { schema: {} } } as const;

const schemaJson = (s: SchemaView): Json => ({ vhost: s.vhost, name: s.name, schema: s.schema, exchanges: [...s.exchanges] });

/** broker.schemas' refusals: 400 with ajv's reason, 404 for the vhost, 409 while exchanges name it. */
function refusal(err: unknown): unknown {
  const e = err as { name?: string; status?: number; reason?: string };
  if (e.name !== 'SchemaError' || e.reason === undefined) return err;
  if (e.status === 404) return vhostNotFound();
  if (e.status === 409) return new HttpError(409, 'conflict', e.reason);
  return badRequest(e.reason);
}

export function schemaRegistryRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const ops = () => api.access.schemas;
  resource(app, api, '/api/schemas', {
    GET: { response: schemaList, handle: ({ principal }) => ops().list().filter((s) => canSeeVhost(api, principal, s.vhost)).map(schemaJson) },
  });
  resource(app, api, '/api/schemas/:vhost', {
    GET: {
      params: params('vhost'),
      response: schemaList,
      handle: ({ principal, params: p }) => {
        checkVhost(api, principal, p['vhost'] as string);
        return ops().list(p['vhost'] as string).map(schemaJson);
      },
    },
  });
  resource(app, api, '/api/schemas/:vhost/:name', {
    GET: {
      params: params('vhost', 'name'),
      response: SCHEMA_JSON,
      handle: ({ principal, params: p }) => {
        const vhost = p['vhost'] as string;
        checkVhost(api, principal, vhost);
        const found = ops().get(vhost, p['name'] as string);
        if (found === undefined) throw notFound();
        return schemaJson(found);
      },
    },
    PUT: {
      params: params('vhost', 'name'),
      body: SCHEMA_BODY,
      status: 201,
      response: EMPTY,
      handle: async ({ principal, params: p, body, reply }) => {
        const vhost = p['vhost'] as string;
        requirePolicymaker(api, principal, vhost);
        if (api.vhostMetadata(vhost) === undefined) throw vhostNotFound();
        requireKeys(body, ['schema']);
        try {
          return answered(reply, await ops().set(vhost, p['name'] as string, (body as Record<string, unknown>)['schema']));
        } catch (err) {
          throw refusal(err);
        }
      },
    },
    DELETE: {
      params: params('vhost', 'name'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        const vhost = p['vhost'] as string;
        requirePolicymaker(api, principal, vhost);
        try {
          if (!(await ops().delete(vhost, p['name'] as string))) throw notFound();
        } catch (err) {
          throw refusal(err);
        }
      },
    },
  });
}
