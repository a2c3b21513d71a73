import type { FastifyInstance } from 'fastify';
import { DefinitionsError } from '../../core/definitions/definitions-error.js';
import { requireAdmin } from '../auth.js';
import { HttpError } from '../errors.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource } from '../routing.js';
import { params } from './queues-exchanges.js';

/** The export document: RabbitMQ's format, free-form here (its parts are checked by test/integration/definitions). */
const DEFINITIONS_SCHEMA = { type: 'object', additionalProperties: true } as const;

/**
 * GET /api/definitions and /api/definitions/{vhost}: the export rabbitmqadmin's `export` and
 * warren-admin's read. Administrators only, as in RabbitMQ; an unknown vhost is 400 vhost_not_found
 * (RabbitMQ 3.10's answer, not a 404). POST (import) is not served yet.
 */
export function definitionsRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const exported = (vhost?: string): Record<string, unknown> => {
    try {
      return api.exportDefinitions(vhost);
    } catch (err) {
      if (err instanceof DefinitionsError) throw new HttpError(err.status, err.error, err.reason);
      throw err;
    }
  };
  resource(app, api, '/api/definitions', {
    GET: {
      response: DEFINITIONS_SCHEMA,
      handle: ({ principal }) => {
        requireAdmin(principal);
        return exported();
      },
    },
  });
  resource(app, api, '/api/definitions/:vhost', {
    GET: {
      params: params('vhost'),
      response: DEFINITIONS_SCHEMA,
      handle: ({ principal, params: p }) => {
        requireAdmin(principal);
        return exported(p['vhost'] as string);
      },
    },
  });
}
