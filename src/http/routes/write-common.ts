import { canSeeVhost, type HttpPrincipal } from '../auth.js';
import { HttpError } from '../errors.js';
import type { ManagementBroker } from '../management-broker.js';

/*
 * What the write endpoints share: RabbitMQ's checks on the vhost in a path and on names, and the
 * request schemas' building blocks.
 */

/**
 * A vhost a PUT or POST names: RabbitMQ's with_vhost_and_props answers 404 "vhost_not_found" for a
 * missing one (rabbit_mgmt_util's not_found), is_authorized_vhost 401 for one the user cannot see.
 */
export function writableVhost(api: ManagementBroker, p: HttpPrincipal, vhost: string): void {
  if (api.vhostMetadata(vhost) === undefined) throw new HttpError(404, 'not_found', 'vhost_not_found');
  if (!canSeeVhost(api, p, vhost)) throw new HttpError(401, 'not_authorised', 'User not authorised to access virtual host');
}

/** rabbit_parameter_validation:amqp091_queue_name's refusal (its "~n" included); Warren applies it to exchange names too. */
export function checkNameLength(kind: 'queue' | 'exchange', name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 255) throw new HttpError(400, 'bad_request', `${kind} should be less than 255 bytes, actually was ${bytes}\n`);
}

/**
 * A body field RabbitMQ reads loosely (parse_bool takes "true"; a node name it contacts): documented
 * here, checked by the handler with RabbitMQ's reasons, so ajv must not coerce it.
 */
export const anyJson = (description: string) => ({ description }) as const;

export const EMPTY_RESPONSE = { type: 'null' } as const;

/** Path parameters, all strings (as routes/queues-exchanges.ts's params, which imports the handlers here). */
export const pathParams = (...names: string[]) =>
  ({ type: 'object', properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])), required: names }) as const;

/** /api/queues/{vhost}/ and /api/exchanges/{vhost}/ are the vhost's list in RabbitMQ: 405 for a write there. */
export function refuseEmptyName(name: string): void {
  if (name === '') throw new HttpError(405, 'method_not_allowed', 'Method Not Allowed', { allow: 'HEAD, GET, OPTIONS' });
}
