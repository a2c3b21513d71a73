import { Ajv } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DefinitionsError } from '../core/definitions/definitions-error.js';
import { PolicyError } from '../core/policy/policy-definition.js';
import { PatternError } from '../core/security/pcre-pattern.js';
import { UserInputError } from '../core/security/users.js';
import { canSeeVhost, type HttpPrincipal } from './auth.js';
import { handleError, HttpError } from './errors.js';
import type { ManagementBroker } from './management-broker.js';
import { decodeBody } from './write-input.js';

/*
 * What the write routes (users, vhosts, permissions, limits, policies, parameters, definitions) share,
 * registered in one encapsulated fastify scope (src/http/routes/access.ts) so that the rest of the app
 * keeps fastify's defaults:
 * - bodies are read as RabbitMQ's rabbit_mgmt_util:decode reads them, whatever the content type: an
 *   empty body, `null` or `undefined` is `{}`; text that is not a JSON object is 400 `not_json`; a
 *   JSON string is its "doubly-JSON-encoded" refusal. /api/definitions takes the text itself.
 * - body schemas are checked without type coercion (fastify's default turns 5 into "5"): a wrong type
 *   is 400 with ajv's text, where RabbitMQ 3.10 stores it as it comes or fails with 500.
 * - the broker's refusals (PolicyError, DefinitionsError, UserInputError, PatternError) become
 *   RabbitMQ's bodies; a body over the limit is RabbitMQ's 400 `Exceeded HTTP request body size limit`.
 */

export const badRequest = (reason: string): HttpError => new HttpError(400, 'bad_request', reason);
export const notAuthorised = (reason: string): HttpError => new HttpError(401, 'not_authorised', reason);
/** RabbitMQ's 404 for a vhost named in a write's path: `{"error":"not_found","reason":"vhost_not_found"}`. */
export const vhostNotFound = (): HttpError => new HttpError(404, 'not_found', 'vhost_not_found');

/** rabbit_misc:escape_html_tags, which RabbitMQ applies to the reasons of policies and parameters. */
export const escapeHtml = (text: string): string => text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));

/** RabbitMQ's reason for required keys a body lacks: `[{key_missing,write},{key_missing,read}]`. */
export function requireKeys(body: unknown, keys: readonly string[]): void {
  const b = body as Record<string, unknown>;
  const missing = keys.filter((k) => b[k] === undefined);
  if (missing.length > 0) throw badRequest(`[${missing.map((k) => `{key_missing,${k}}`).join(',')}]`);
}

/** Policies and parameters (rabbit_mgmt_util:is_authorized_policies): administrators, or policymakers who may use the vhost (an unknown one is left to 404). */
export function requirePolicymaker(api: ManagementBroker, p: HttpPrincipal, vhost: string | undefined): void {
  if (p.admin) return;
  const ok = p.tags.includes('policymaker') && (vhost === undefined || api.vhostMetadata(vhost) === undefined || canSeeVhost(api, p, vhost));
  if (!ok) throw notAuthorised('User not authorised to access object');
}

/** rabbit_mgmt_util:is_authorized_vhost: a vhost in the path the user may not use is 401 (an unknown one is left to 404). */
export function requireVhostUse(api: ManagementBroker, p: HttpPrincipal, vhost: string | undefined): void {
  if (vhost === undefined || p.admin || api.vhostMetadata(vhost) === undefined || canSeeVhost(api, p, vhost)) return;
  throw notAuthorised('User not authorised to access virtual host');
}

/** Names RabbitMQ would take but no AMQP client could use, or that break paths and logs: NUL. */
export function checkName(kind: string, name: string): void {
  if (name.includes('\u0000')) throw badRequest(`${kind} name must not contain NUL`);
}

/** Sets the scope's body parser, validators and error handler (see above). */
export function rabbitWrites(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      const text = body.toString();
      done(null, request.url.startsWith('/api/definitions') ? text : decodeBody(text));
    } catch (err) {
      done(err as Error);
    }
  });
  scope.addHook('preValidation', async (request) => {
    if (request.body === undefined && !request.url.startsWith('/api/definitions')) request.body = {}; // no body at all: {}, as RabbitMQ
  });
  const strict = new Ajv({ coerceTypes: false, allErrors: false, strict: false });
  const lenient = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false, strict: false });
  scope.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema));
  scope.setErrorHandler((err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return void reply.code(400).send({ error: 'bad_request', reason: 'Exceeded HTTP request body size limit' });
    if (err instanceof PolicyError || err instanceof DefinitionsError) return void reply.code(err.status).send({ error: err.error, reason: err.reason });
    if (err instanceof UserInputError) return void reply.code(400).send({ error: 'bad_request', reason: err.message });
    if (err instanceof PatternError) return void reply.code(400).send({ error: 'bad_request', reason: `invalid_regexp: '${err.pattern}': ${err.reason}` });
    handleError(err, request, reply);
  });
}
