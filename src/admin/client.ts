import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

/*
 * The one HTTP transport of warren-admin. It talks to the management API only (Warren's or RabbitMQ's):
 * nothing of the broker is imported here or anywhere under src/admin.
 *
 * node:http/node:https rather than fetch: Node 20's fetch cannot be given a CA file (that needs undici's
 * Agent, which is not a dependency), and --cacert must work against a management API served over TLS.
 */

/** Where and as whom to call the API. */
export interface Target {
  readonly protocol: 'http:' | 'https:';
  readonly host: string;
  readonly port: number;
  /** Prefix before /api (rabbitmqadmin's --path-prefix, or the path of --url). */
  readonly pathPrefix: string;
  readonly username: string;
  readonly password: string;
  /** PEM CA certificates trusted for https (--cacert); the system's otherwise. */
  readonly ca?: string | Buffer;
  /** --insecure: do not verify the server's certificate. */
  readonly insecure: boolean;
  readonly timeoutMs: number;
}

/** The API answered with an error status: shown as rabbitmqadmin shows it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(apiErrorText(status, statusText, path, body));
  }
}

/** The API could not be reached at all (refused, unknown host, TLS failure, timeout). */
export class ConnectError extends Error {}

export interface TargetOptions {
  readonly url?: string;
  readonly host: string;
  readonly port: string;
  readonly username: string;
  readonly password: string;
  readonly pathPrefix?: string;
  readonly tls?: boolean;
  readonly cacert?: string;
  readonly insecure?: boolean;
  readonly timeout: string;
}

/** --url wins over --host/--port (its credentials over --username/--password); https: in it means --tls. */
export function targetFrom(o: TargetOptions): Target {
  const ca = o.cacert === undefined ? undefined : readFileSync(o.cacert);
  const timeoutMs = Number(o.timeout) * 1000;
  if (o.url !== undefined) {
    const u = new URL(o.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, not ${u.protocol}`);
    const protocol = o.tls === true ? 'https:' : u.protocol;
    return {
      protocol,
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(u.port),
      pathPrefix: u.pathname.replace(/\/+$/, '').replace(/\/api$/, ''),
      username: u.username === '' ? o.username : decodeURIComponent(u.username),
      password: u.password === '' ? o.password : decodeURIComponent(u.password),
      ...(ca === undefined ? {} : { ca }),
      insecure: o.insecure === true,
      timeoutMs,
    };
  }
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be a port number, not ${o.port}`);
  return {
    protocol: o.tls === true || ca !== undefined ? 'https:' : 'http:',
    host: o.host,
    port,
    pathPrefix: (o.pathPrefix ?? '').replace(/\/+$/, ''),
    username: o.username,
    password: o.password,
    ...(ca === undefined ? {} : { ca }),
    insecure: o.insecure === true,
    timeoutMs,
  };
}

/** A mistake on the command line (exit 1 with a hint, as rabbitmqadmin's usage errors). */
export class UsageError extends Error {}

export function baseUrl(t: Target): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.protocol}//${host}:${t.port}${t.pathPrefix}`;
}

/** `/api` + the path segments, each percent-encoded (`/` is `%2F`, as the API wants vhost names). */
export function apiPath(...segments: readonly string[]): string {
  return '/api/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

export interface Response {
  readonly status: number;
  readonly text: string;
}

/**
 * One call. Resolves with the body of a 2xx; rejects with ApiError for any other status (3xx included:
 * the API never redirects) and ConnectError when there is no answer.
 */
export function call(t: Target, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const fullPath = t.pathPrefix + path;
  const options = {
    method,
    host: t.host,
    port: t.port,
    path: fullPath,
    timeout: t.timeoutMs,
    headers: {
      authorization: 'Basic ' + Buffer.from(`${t.username}:${t.password}`).toString('base64'),
      ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
      ...headers,
    },
    ...(t.protocol === 'https:' ? { ...(t.ca === undefined ? {} : { ca: t.ca }), rejectUnauthorized: !t.insecure, ...(isIP(t.host) === 0 ? { servername: t.host } : {}) } : {}),
  };
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(new ConnectError(`Error getting HTTP response: ${err.message}`)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ status, text });
        else reject(new ApiError(status, res.statusMessage ?? '', fullPath, text));
      });
    };
    const req = t.protocol === 'https:' ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
    req.on('timeout', () => req.destroy(new ConnectError(`Timed out getting HTTP response (request timeout: ${t.timeoutMs / 1000} seconds)`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof ConnectError) reject(err);
      else reject(new ConnectError(`Could not connect to ${baseUrl(t)}: ${connectText(err)}`));
    });
    req.end(payload);
  });
}

/** GET, parsed. */
export async function getJson(t: Target, path: string): Promise<unknown> {
  const res = await call(t, 'GET', path);
  return res.text === '' ? undefined : (JSON.parse(res.text) as unknown);
}

/** A call whose answer, when there is one, is JSON. */
export async function sendJson(t: Target, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<unknown> {
  const res = await call(t, method, path, body, headers);
  return res.text === '' ? undefined : (JSON.parse(res.text) as unknown);
}

/** The first line, without a trailing colon (OpenSSL's messages run on). */
function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').replace(/:+$/, '');
}

/** `ECONNREFUSED 127.0.0.1:15672` from `connect ECONNREFUSED 127.0.0.1:15672`; TLS failures by their first line. */
function connectText(err: NodeJS.ErrnoException): string {
  const text = firstLine(err.message);
  if (err.code === undefined) return text;
  const prefix = `${err.syscall ?? ''} ${err.code} `;
  return err.syscall !== undefined && text.startsWith(prefix) ? `${err.code} ${text.slice(prefix.length)}` : `${err.code} ${text}`;
}

function reasonOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { reason?: unknown; error?: unknown };
    if (typeof parsed.reason === 'string') return parsed.reason;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: no reason to show
  }
  return undefined;
}

/**
 * rabbitmqadmin's texts (3.x `Management.http`): 400 shows the reason, 401 `Access refused: PATH`, 404
 * `Not found: PATH`, anything else `Received response N TEXT for path PATH`; where a 401 or other status
 * carries a reason, it follows (rabbitmqadmin drops it).
 */
function apiErrorText(status: number, statusText: string, path: string, body: string): string {
  const reason = reasonOf(body);
  if (status === 400) return reason ?? `Bad request: ${path}`;
  if (status === 404) return `Not found: ${path}`;
  const head = status === 401 ? `Access refused: ${path}` : `Received response ${status} ${statusText} for path ${path}`;
  return reason === undefined ? head : `${head}: ${reason}`;
}
