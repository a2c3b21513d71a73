import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isAmqpError } from '../errors/index.js';
import type { FieldTable, FieldValue } from '../protocol/field-table.js';
import { HttpError } from './errors.js';

/*
 * Request bodies and values read as RabbitMQ's management API reads them (rabbit_mgmt_util:decode,
 * rabbit_misc:parse_bool / parse_int / to_amqp_table), with its reasons; and the broker's coded
 * errors answered as its direct_request and with_channel answer them.
 */

const bad = (reason: string | readonly unknown[]): HttpError => new HttpError(400, 'bad_request', reason as string);

/**
 * rabbit_mgmt_util:decode for every body, whatever its content type (RabbitMQ accepts any): empty,
 * null or another JSON atom is {}, an object is itself; a JSON string or array, or no JSON at all,
 * is refused with RabbitMQ's reason (an HttpError). The app and the access routes' scope both parse with it.
 */
export function decodeBody(text: string): unknown {
  const t = text.trim();
  if (t === '' || t === 'null' || t === 'undefined') return {};
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    throw bad('not_json');
  }
  if (typeof value === 'boolean') return {};
  if (typeof value === 'string') throw bad('invalid payload: the request body JSON-decoded to a string. Is the input doubly-JSON-encoded?');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not_json');
  return value;
}

/** decodeBody as the app's parser for application/json and every other content type. */
export function registerBodyDecoder(app: FastifyInstance): void {
  const decode = (_request: FastifyRequest, body: string, done: (err: Error | null, body?: unknown) => void): void => {
    try {
      done(null, decodeBody(body));
    } catch (err) {
      done(err as Error);
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, decode);
  app.addContentTypeParser('*', { parseAs: 'string' }, decode);
  // No body at all is {} too, for a route that reads one (its schema then sees an object).
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
  });
}

/** The body as an object ({} when there was none). */
export function bodyOf(body: unknown): Readonly<Record<string, unknown>> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** rabbit_misc:parse_bool on a body field: true, false, "true", "false", absent (the default); else ["not_boolean", value]. */
export function parseBool(body: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  if (!Object.hasOwn(body, key)) return fallback;
  const v = body[key];
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw bad(['not_boolean', v ?? null]);
}

/** rabbit_misc:parse_int: an integer, a number (truncated), a decimal string; else ["not_integer", value]. */
export function parseInt(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^[+-]?[0-9]+$/.test(v)) return Number(v);
  throw bad(['not_integer', v ?? null]);
}

/**
 * rabbit_misc:to_amqp_table on `arguments`: strings longstr, integers long, other numbers double,
 * booleans bool, objects tables (their keys in order, as an Erlang map iterates them), arrays
 * arrays; null is "null_not_allowed". [] and absent are no arguments.
 */
export function argumentsOf(body: Readonly<Record<string, unknown>>): FieldTable {
  const json = body['arguments'];
  if (json === undefined || (Array.isArray(json) && json.length === 0)) return Object.create(null) as FieldTable;
  if (json === null) throw bad('null_not_allowed');
  if (typeof json !== 'object' || Array.isArray(json)) throw bad(['not_table', 'arguments']);
  return tableOf(json as Record<string, unknown>, 0);
}

const MAX_DEPTH = 32;

function tableOf(json: Record<string, unknown>, depth: number): FieldTable {
  const table = Object.create(null) as Record<string, FieldValue>;
  for (const k of Object.keys(json).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
    if (Buffer.byteLength(k, 'utf8') > 255) throw bad(['string_too_long', k]);
    table[k] = valueOf(json[k], depth);
  }
  return table;
}

function valueOf(v: unknown, depth: number): FieldValue {
  if (depth > MAX_DEPTH) throw bad(['too_deep', 'arguments']);
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { type: 'int64', value: v } : { type: 'double', value: v };
  if (v === null) throw bad('null_not_allowed');
  if (Array.isArray(v)) return { type: 'array', value: v.map((item) => valueOf(item, depth + 1)) };
  if (typeof v === 'object') return { type: 'table', value: tableOf(v as Record<string, unknown>, depth + 1) };
  throw bad(['unhandled_type', String(v)]);
}

/**
 * What rabbit_mgmt_util:direct_request answers for the broker's refusal of a declare, delete, bind
 * or purge: ACCESS_REFUSED (a permission, a reserved name, the default exchange) is 401 "Access
 * refused.", NOT_FOUND is 404 with the broker's text, any other error 400 with it.
 */
export async function directRequest<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isAmqpError(err)) throw err;
    if (err.replyCode === 403) throw new HttpError(401, 'not_authorised', 'Access refused.');
    if (err.replyCode === 404) throw new HttpError(404, 'not_found', err.detail);
    throw new HttpError(400, 'bad_request', err.detail);
  }
}

/**
 * What rabbit_mgmt_util:with_channel answers when its channel was closed by the broker (a get):
 * NOT_FOUND 404 and ACCESS_REFUSED 401 with the whole AMQP text, anything else 400 "<code> <text>".
 */
export async function withChannel<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!isAmqpError(err)) throw err;
    if (err.replyCode === 404) throw new HttpError(404, 'not_found', err.message);
    if (err.replyCode === 403) throw new HttpError(401, 'not_authorised', err.message);
    throw new HttpError(400, 'bad_request', `${err.replyCode} ${err.message}`);
  }
}
