/**
 * A definitions import or export that cannot be carried out, with what RabbitMQ's management API answers
 * for it (`POST /api/definitions`): `status` 400 (or 404 for an unknown vhost in the path) and the body
 * `{ error: 'bad_request', reason }`. Import checks the whole document before changing anything, so this
 * error means nothing was imported (RabbitMQ applies categories one by one and stops at the first error,
 * keeping what it had applied; see README, deviations).
 */
export class DefinitionsError extends Error {
  readonly status: 400 | 404;
  readonly error: string;
  readonly reason: string;

  constructor(reason: string, status: 400 | 404 = 400, error = status === 404 ? 'not_found' : 'bad_request') {
    super(reason);
    this.name = 'DefinitionsError';
    this.status = status;
    this.error = error;
    this.reason = reason;
  }
}
