import type { FastifyInstance } from 'fastify';
import { requireAdmin } from '../auth.js';
import type { ManagementBroker } from '../management-broker.js';
import { resource, type Call } from '../routing.js';
import { badRequest } from '../write-scope.js';
import { EMPTY, params } from './access-writes.js';

const DEFINITIONS_SCHEMA = { type: 'object', additionalProperties: true } as const;
// The body is the document's text, left as text by the write scope's parser (none at all: an empty document).
const DEFINITIONS_BODY = { anyOf: [{ type: 'string' }, { type: 'null' }] } as const;
const DOWNLOAD_QUERY = { type: 'object', properties: { download: { type: 'string' } } } as const;

/**
 * The "file" part of a multipart/form-data upload, as RabbitMQ's UI posts a definitions file
 * (rabbit_mgmt_wm_definitions accept_multipart); undefined when there is none.
 */
export function multipartFile(contentType: string, body: string): string | undefined {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (boundary === undefined) return undefined;
  for (const part of body.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    if (!/content-disposition:[^\r\n]*\bname="file"/i.test(headers)) continue;
    return part.slice(split + 4).replace(/\r\n$/, '');
  }
  return undefined;
}

/** GET and POST /api/definitions and /api/definitions/{vhost}: RabbitMQ's export and import, administrators only. */
export function definitionRoutes(app: FastifyInstance, api: ManagementBroker): void {
  const exportDoc = ({ principal, params: p, query, reply }: Call) => {
    requireAdmin(principal);
    const doc = api.access.exportDefinitions(p['vhost']);
    if (query['download'] !== undefined) {
      // RabbitMQ's UI asks for a file: ?download=NAME
      void reply.header('content-disposition', `attachment; filename="${query['download'].replace(/["\\\r\n]/g, '_')}"`);
    }
    return doc;
  };
  const importDoc = async ({ principal, params: p, body, reply }: Call) => {
    requireAdmin(principal);
    const contentType = reply.request.headers['content-type'] ?? '';
    let text = (body as string | undefined) ?? '';
    if (/^multipart\/form-data/i.test(contentType)) {
      const file = multipartFile(contentType, text);
      if (file === undefined) throw badRequest('no file in the upload (a form field named "file")');
      text = file;
    }
    // RabbitMQ refuses JSON that is not an object as it refuses text that is not JSON.
    if (/^\s*[[\d"-]/.test(text.replace(/^\uFEFF/, ''))) throw badRequest('failed_to_parse_json');
    await api.access.importDefinitions(text, p['vhost']);
  };
  for (const url of ['/api/definitions', '/api/definitions/:vhost']) {
    const withVhost = url.endsWith(':vhost') ? { params: params('vhost') } : {};
    resource(app, api, url, {
      GET: { ...withVhost, querystring: DOWNLOAD_QUERY, response: DEFINITIONS_SCHEMA, handle: exportDoc },
      POST: { ...withVhost, body: DEFINITIONS_BODY, status: 204, response: EMPTY, handle: importDoc },
    });
  }
}
