import type { FastifyInstance } from 'fastify';
import { canSeeVhost } from '../auth.js';
import { HttpError, notFound } from '../errors.js';
import type { Json } from '../list-query.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { badRequest, escapeHtml, notAuthorised, requireKeys, requirePolicymaker, vhostNotFound } from '../write-scope.js';
import { answered, EMPTY, params } from './access-writes.js';
import { vhostLimits, vhostLimitsJson } from './limits-topics.js';

const str = { type: 'string' } as const;
const PARAMETER_SCHEMA = { type: 'object', properties: { vhost: str, component: str, name: str, value: {} } } as const;
const parameterList = { type: 'array', items: PARAMETER_SCHEMA } as const;
const GLOBAL_SCHEMA = { type: 'object', properties: { name: str, value: {} } } as const;
const VALUE_BODY = { type: 'object', properties: { value: {} } } as const;

/** RabbitMQ shows vhost limits as the runtime parameter vhost-limits/V/limits; other components come from api.parameters. */
const COMPONENT = 'vhost-limits';
const NAME = 'limits';

/**
 * /api/parameters[/C[/V[/N]]] for component vhost-limits (the same limits as /api/vhost-limits) and
 * the components of api.parameters (nats-bridge), and /api/global-parameters read-only (cluster_name).
 * Policymakers and administrators, as RabbitMQ's is_authorized_policies; an unknown component lists
 * nothing and is refused on PUT with RabbitMQ's text.
 */
export function parameterRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const others = api.parameters;
  const limitRows = (vhosts: readonly string[]): Json[] =>
    vhosts.flatMap((v) => {
      const meta = api.vhostMetadata(v);
      const value = meta === undefined ? {} : vhostLimitsJson(meta.limits);
      return Object.keys(value).length === 0 ? [] : [{ value, vhost: v, component: COMPONENT, name: NAME }];
    });
  const rows = (vhosts: readonly string[], component: string | undefined): Json[] => {
    const out = component === undefined || component === COMPONENT ? limitRows(vhosts) : [];
    if (others === undefined || component === COMPONENT) return out;
    const seen = new Set(vhosts);
    for (const r of others.list(component)) if (seen.has(r.vhost)) out.push({ value: r.value, vhost: r.vhost, component: r.component, name: r.name });
    return out;
  };
  const list = (principal: Parameters<typeof canSeeVhost>[1], component: string | undefined, vhost?: string): Json[] => {
    const names = vhost === undefined ? [...api.readModel.vhostNames()].sort() : [vhost];
    return rows(names.filter((v) => canSeeVhost(api, principal, v)), component);
  };
  resource(app, api, '/api/parameters', {
    GET: { response: parameterList, handle: ({ principal }) => (requirePolicymaker(api, principal, undefined), list(principal, undefined)) },
  });
  resource(app, api, '/api/parameters/:component', {
    GET: {
      params: params('component'),
      response: parameterList,
      handle: ({ principal, params: p }) => (requirePolicymaker(api, principal, undefined), list(principal, p['component'])),
    },
  });
  resource(app, api, '/api/parameters/:component/:vhost', {
    GET: {
      params: params('component', 'vhost'),
      response: parameterList,
      handle: ({ principal, params: p }) => {
        requirePolicymaker(api, principal, p['vhost']);
        if (api.vhostMetadata(p['vhost'] as string) === undefined) throw notFound();
        return list(principal, p['component'], p['vhost']);
      },
    },
  });
  const one = (component: string, vhost: string, name: string): Json => {
    const found = api.vhostMetadata(vhost) === undefined ? [] : rows([vhost], component).filter((r) => r['name'] === name);
    const [row] = found;
    if (row === undefined) throw notFound();
    return row;
  };
  const refuse = (text: string): HttpError => badRequest(escapeHtml(`Validation failed\n\n${text}\n`));
  resource(app, api, '/api/parameters/:component/:vhost/:name', {
    GET: {
      params: params('component', 'vhost', 'name'),
      response: PARAMETER_SCHEMA,
      handle: ({ principal, params: p }) => (requirePolicymaker(api, principal, p['vhost']), one(p['component'] as string, p['vhost'] as string, p['name'] as string)),
    },
    PUT: {
      params: params('component', 'vhost', 'name'),
      body: VALUE_BODY,
      status: 201,
      response: EMPTY,
      handle: async ({ principal, params: p, body, reply }) => {
        const vhost = p['vhost'] as string;
        const component = p['component'] as string;
        requirePolicymaker(api, principal, vhost);
        const meta = api.vhostMetadata(vhost);
        if (meta === undefined) throw vhostNotFound();
        requireKeys(body, ['value']);
        const value = (body as { value: unknown }).value;
        if (component !== COMPONENT) {
          if (others === undefined || !others.components.includes(component)) throw refuse(`component ${component} not found`);
          const done = await others.set(component, vhost, p['name'] as string, value);
          if ('refused' in done) throw refuse(done.refused);
          return answered(reply, done.created);
        }
        // As in RabbitMQ, a policymaker may set the vhost's limits here (/api/vhost-limits wants an administrator).
        if (p['name'] !== NAME) throw refuse(`Warren keeps the vhost limits in one parameter, named '${NAME}'`);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw refuse(`limits must be a JSON object, got ${JSON.stringify(value)}`);
        let limits;
        try {
          limits = vhostLimits(value as Record<string, unknown>);
        } catch (err) {
          if (err instanceof HttpError) throw badRequest(escapeHtml(err.reason));
          throw err;
        }
        const created = Object.keys(vhostLimitsJson(meta.limits)).length === 0;
        await api.access.setVhostLimits(vhost, limits);
        return answered(reply, created);
      },
    },
    DELETE: {
      params: params('component', 'vhost', 'name'),
      status: 204,
      response: EMPTY,
      handle: async ({ principal, params: p }) => {
        const [component, vhost, name] = [p['component'] as string, p['vhost'] as string, p['name'] as string];
        requirePolicymaker(api, principal, vhost);
        one(component, vhost, name);
        if (component === COMPONENT) await api.access.setVhostLimits(vhost, {});
        else await others?.clear(component, vhost, name);
      },
    },
  });

  // Global parameters: Warren has only its cluster name (the node name, as /api/cluster-name shows it).
  const globals = (): Json[] => [{ name: 'cluster_name', value: api.node }];
  const requireGlobal = (p: Parameters<typeof canSeeVhost>[1]): void => {
    if (!p.admin && !p.tags.includes('policymaker')) throw notAuthorised('User not authorised to access object');
  };
  resource(app, api, '/api/global-parameters', { GET: { response: { type: 'array', items: GLOBAL_SCHEMA }, handle: ({ principal }) => (requireGlobal(principal), globals()) } });
  resource(app, api, '/api/global-parameters/:name', {
    GET: {
      params: params('name'),
      response: GLOBAL_SCHEMA,
      handle: ({ principal, params: p }) => {
        requireGlobal(principal);
        const found = globals().find((g) => g['name'] === p['name']);
        if (found === undefined) throw notFound();
        return found;
      },
    },
  });
}
