import type { FastifyInstance } from 'fastify';
import { PolicyError, type PolicyInput, type PolicySnapshot } from '../../core/policy/policy-definition.js';
import { canSeeVhost, checkVhost, requireAdmin } from '../auth.js';
import { notFound } from '../errors.js';
import type { Json } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { badRequest, escapeHtml, requireKeys, requirePolicymaker, vhostNotFound } from '../write-scope.js';
import { answered, EMPTY, params } from './access-writes.js';

const str = { type: 'string' } as const;
export const POLICY_SCHEMA = {
  type: 'object',
  properties: { vhost: str, name: str, pattern: str, 'apply-to': str, definition: { type: 'object', additionalProperties: true }, priority: { type: 'number' } },
} as const;
const policyList = { type: 'array', items: POLICY_SCHEMA } as const;
// Types are left to the policy validator: its refusals are RabbitMQ's texts ("priority should be a number, ...").
const POLICY_BODY = { type: 'object', properties: { pattern: {}, definition: {}, priority: {}, 'apply-to': {} } } as const;

const policyJson = (p: PolicySnapshot): Json => ({ vhost: p.vhost, name: p.name, pattern: p.pattern, 'apply-to': p['apply-to'], definition: p.definition, priority: p.priority });

/**
 * /api/policies and /api/operator-policies, whole, per vhost and per name. As RabbitMQ 3.10: the lists
 * show every user the policies of the vhosts it may use; one policy needs policymaker (and the vhost)
 * or administrator, one operator policy administrator. RabbitMQ escapes <, > and & in the refusals of
 * policies, not of operator policies; so does Warren.
 */
export function policyRoutes(app: FastifyInstance, api: ManagementBroker): void {
  for (const kind of ['policies', 'operator-policies'] as const) {
    const ops = () => (kind === 'policies' ? api.access.policies : api.access.operatorPolicies);
    const authorise = (principal: Parameters<typeof requireAdmin>[0], vhost: string): void =>
      kind === 'policies' ? requirePolicymaker(api, principal, vhost) : requireAdmin(principal);
    resource(app, api, `/api/${kind}`, {
      GET: {
        response: policyList,
        handle: ({ principal }) => ops().list().filter((p) => canSeeVhost(api, principal, p.vhost)).map(policyJson),
      },
    });
    resource(app, api, `/api/${kind}/:vhost`, {
      GET: {
        params: params('vhost'),
        response: policyList,
        handle: ({ principal, params: p }) => {
          checkVhost(api, principal, p['vhost'] as string);
          return ops().list(p['vhost'] as string).map(policyJson);
        },
      },
    });
    const one = (vhost: string, name: string): PolicySnapshot => {
      const found = api.vhostMetadata(vhost) === undefined ? undefined : ops().get(vhost, name);
      if (found === undefined) throw notFound();
      return found;
    };
    resource(app, api, `/api/${kind}/:vhost/:name`, {
      GET: {
        params: params('vhost', 'name'),
        response: POLICY_SCHEMA,
        handle: ({ principal, params: p }) => {
          authorise(principal, p['vhost'] as string);
          return policyJson(one(p['vhost'] as string, p['name'] as string));
        },
      },
      PUT: {
        params: params('vhost', 'name'),
        body: POLICY_BODY,
        status: 201,
        response: EMPTY,
        handle: async ({ principal, params: p, body, reply }) => {
          const vhost = p['vhost'] as string;
          const name = p['name'] as string;
          authorise(principal, vhost);
          if (api.vhostMetadata(vhost) === undefined) throw vhostNotFound();
          requireKeys(body, ['pattern', 'definition']);
          const created = ops().get(vhost, name) === undefined;
          try {
            await ops().set(vhost, name, body as PolicyInput);
          } catch (err) {
            if (err instanceof PolicyError && err.status === 400) throw badRequest(kind === 'policies' ? escapeHtml(err.reason) : err.reason);
            throw err;
          }
          return answered(reply, created);
        },
      },
      DELETE: {
        params: params('vhost', 'name'),
        status: 204,
        response: EMPTY,
        handle: async ({ principal, params: p }) => {
          authorise(principal, p['vhost'] as string);
          one(p['vhost'] as string, p['name'] as string);
          await ops().delete(p['vhost'] as string, p['name'] as string);
        },
      },
    });
  }
}
