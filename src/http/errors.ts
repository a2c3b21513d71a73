import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AmqpError } from '../errors/index.js';

/** No Authorization header: RabbitMQ answers 401 with an empty body and the Basic challenge. */
export class NoCredentials extends Error {}

/**
 * An HTTP failure as RabbitMQ's management API answers it: a status and `{"error": ..., "reason": ...}`.
 * Thrown by handlers and hooks; the one error handler below turns it, the broker's coded errors and
 * fastify's own (validation, bad JSON, body too large) into that body.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly error: string;
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(statusCode: number, error: string, reason: string, headers: Readonly<Record<string, string>> = {}) {
    super(`${error}: ${reason}`);
    this.statusCode = statusCode;
    this.error = error;
    this.reason = reason;
    this.headers = headers;
  }
}

/** RabbitMQ 3.10's exact 404 body, for every missing object and every unknown path. */
export const notFound = (): HttpError => new HttpError(404, 'Object Not Found', 'Not Found');

export const BASIC_REALM = 'Basic realm="RabbitMQ Management"';

/** The AMQP reply code of a broker error, as the HTTP status RabbitMQ's API gives for it. */
const STATUS_BY_REPLY: Readonly<Record<number, number>> = {
  404: 404, // NOT_FOUND
  403: 403, // ACCESS_REFUSED (RabbitMQ's API: 401 for permission, 403 is kept for amq.* refusals)
  405: 400, // RESOURCE_LOCKED (exclusive queue)
  406: 400, // PRECONDITION_FAILED
};

/** The app's one error handler. */
export function handleError(err: FastifyError | Error, _request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof NoCredentials) {
    void reply.code(401).header('www-authenticate', BASIC_REALM).send();
    return;
  }
  if (err instanceof HttpError) {
    void reply.code(err.statusCode).headers(err.headers).send({ error: err.error, reason: err.reason });
    return;
  }
  if (err instanceof AmqpError) {
    const status = STATUS_BY_REPLY[err.replyCode] ?? 500;
    if (status === 404) {
      void reply.code(404).send({ error: 'Object Not Found', reason: 'Not Found' });
      return;
    }
    void reply.code(status).send({ error: status === 500 ? 'internal_server_error' : 'bad_request', reason: err.detail });
    return;
  }
  const fe = err as FastifyError;
  if (fe.validation !== undefined) {
    void reply.code(400).send({ error: 'bad_request', reason: fe.message });
    return;
  }
  const status = typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 ? fe.statusCode : 500;
  if (status === 413) {
    void reply.code(413).send({ error: 'payload_too_large', reason: fe.message });
    return;
  }
  if (status === 500) reply.log.error({ err }, 'management API handler failed');
  void reply.code(status).send({ error: status === 500 ? 'internal_server_error' : 'bad_request', reason: status === 500 ? 'Internal Server Error' : fe.message });
}
