import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, type HttpPrincipal } from './auth.js';
import { jsonArrayStream } from './json-stream.js';
import { ChunkedList } from './list-query.js';
import { ERROR_SCHEMA } from './schemas.js';
import type { ManagementBroker } from './management-broker.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** What a handler gets: the authenticated user and the request's decoded params and query. */
export interface Call {
  readonly principal: HttpPrincipal;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly body: unknown;
  readonly reply: FastifyReply;
}

export interface Handler {
  /** Request schemas (params, querystring, body) and the 2xx response schema. */
  readonly params?: object;
  readonly querystring?: object;
  readonly body?: object;
  readonly response: object;
  /** With `page`, a list answers the paged envelope: its schema here. */
  readonly paged?: object;
  readonly status?: number;
  /** Extra non-2xx response schemas (the health checks' 503 bodies). */
  readonly errors?: Readonly<Record<number, object>>;
  readonly handle: (call: Call) => unknown;
}

const ALL: readonly Method[] = ['GET', 'PUT', 'POST', 'DELETE'];
const errorResponses = { 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 404: ERROR_SCHEMA } as const;

/**
 * One path and its methods. Every other method answers 405 with an Allow header and no body, before
 * any authentication, as RabbitMQ 3.10 (cowboy_rest) does; HEAD comes with GET.
 */
export function resource(app: FastifyInstance, api: ManagementBroker, url: string, handlers: Partial<Record<Method, Handler>>): void {
  const methods = ALL.filter((m) => handlers[m] !== undefined);
  for (const method of methods) {
    const h = handlers[method] as Handler;
    const schema: Record<string, unknown> = { response: { [h.status ?? 200]: h.response, ...errorResponses, ...h.errors } };
    if (h.params !== undefined) schema['params'] = h.params;
    if (h.querystring !== undefined) schema['querystring'] = h.querystring;
    if (h.body !== undefined) schema['body'] = h.body;
    app.route({
      method,
      url,
      schema,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const principal = authenticate(api, request);
        const result = await h.handle({
          principal,
          params: request.params as Record<string, string>,
          query: (request.query ?? {}) as Record<string, string | undefined>,
          body: request.body,
          reply,
        });
        if (reply.sent) return reply; // the handler answered itself (a PUT's 201 or 204)
        if (h.status === 204) return reply.code(204).send();
        if (result instanceof ChunkedList) {
          // A whole list: one JSON array, written as it is formatted (json-stream.ts); no Content-Length.
          if (reply.statusCode < 300) reply.code(h.status ?? 200);
          return reply.type('application/json; charset=utf-8').send(jsonArrayStream(result));
        }
        if (Array.isArray(result)) {
          // Arrays (and each chunk of a ChunkedList) go through JSON.stringify: fast-json-stringify took
          // 370-820 ms for 10,000 queues (their free-form message_stats and arguments objects take its slow
          // path), JSON.stringify 45-85 ms (loaded machine). The formatters emit exactly the schema's fields
          // (test/integration/http/field-shapes).
          reply.serializer(JSON.stringify);
        } else if (h.paged !== undefined && result !== null && typeof result === 'object') {
          reply.serializer(reply.compileSerializationSchema(h.paged as Record<string, unknown>));
        }
        // A handler may have set a non-2xx status of its own (a failed health check's 503).
        if (reply.statusCode < 300) reply.code(h.status ?? 200);
        return result;
      },
    });
  }
  const readable = methods.includes('GET');
  const allow = [...(readable ? ['HEAD'] : []), ...methods, 'OPTIONS'].join(', ');
  const others = ([...(readable ? [] : ['GET', 'HEAD'] as const), 'DELETE', 'PATCH', 'POST', 'PUT'] as const).filter((m) => !methods.includes(m as Method));
  if (others.length > 0) {
    app.route({ method: [...others], url, handler: async (_request, reply) => reply.code(405).header('allow', allow).send() });
  }
}
