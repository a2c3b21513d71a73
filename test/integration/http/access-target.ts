import amqp from 'amqplib';
import { afterAll, beforeAll, vi } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker } from '../../helpers/broker.js';

/*
 * The write-side suites' target: a Warren started here (management API on a port picked by the OS),
 * or, with MGMT_REFERENCE_URL=http://guest:guest@127.0.0.1:6273 and MGMT_REFERENCE_AMQP=amqp://guest:guest@127.0.0.1:6272,
 * that RabbitMQ. Both are driven over HTTP and AMQP only, with names unique to the run, removed after.
 */

const REFERENCE = process.env['MGMT_REFERENCE_URL'];
const REFERENCE_AMQP = process.env['MGMT_REFERENCE_AMQP'] ?? 'amqp://guest:guest@127.0.0.1:6772';
export const onReference = REFERENCE !== undefined;
export const onWarren = !onReference;

export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

export interface Target {
  /** The Warren broker (undefined on the reference). */
  readonly broker: Broker | undefined;
  /** A request; body given as text is sent as is, anything else as JSON. auth 'user:password', default guest. */
  http(method: string, path: string, body?: unknown, auth?: string, headers?: Record<string, string>): Promise<Reply>;
  amqpUrl(user: string, password: string, vhost: string): string;
  /** The management API's origin. */
  readonly baseUrl: string;
  /** Names unique to this run. */
  name(base: string): string;
  /** Deleted (users, vhosts) after the file. */
  cleanup(kind: 'users' | 'vhosts', name: string): void;
}

export function accessTarget(): Target {
  vi.setConfig({ testTimeout: onReference ? 60_000 : 20_000, hookTimeout: 60_000 });
  let base: URL;
  let amqpBase: URL;
  let broker: Broker | undefined;
  let close: (() => Promise<void>) | undefined;
  const created: Array<['users' | 'vhosts', string]> = [];
  const run = `${process.pid.toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

  const target: Target = {
    get broker() {
      return broker;
    },
    get baseUrl() {
      return base.origin;
    },
    http: async (method, path, body, auth = 'guest:guest', headers = {}) => {
      const init: RequestInit = { method, headers: { authorization: 'Basic ' + Buffer.from(auth).toString('base64'), ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${base.origin}/api${path}`, init);
      const text = await res.text();
      let parsed: unknown = text === '' ? undefined : text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: res.status, body: parsed };
    },
    amqpUrl: (user, password, vhost) => `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${amqpBase.host}/${encodeURIComponent(vhost)}`,
    name: (b) => `acc-${run}-${b}`,
    cleanup: (kind, name) => void created.push([kind, name]),
  };

  beforeAll(async () => {
    if (REFERENCE !== undefined) {
      base = new URL(REFERENCE);
      amqpBase = new URL(REFERENCE_AMQP);
      return;
    }
    ({ broker, close } = await openBroker({ managementPort: 0 }));
    base = new URL(`http://127.0.0.1:${broker.managementPort as number}`);
    amqpBase = new URL(broker.url);
  });
  afterAll(async () => {
    for (const [kind, name] of created.reverse()) await target.http('DELETE', `/${kind}/${encodeURIComponent(name)}`).catch(() => undefined);
    await close?.();
  });
  return target;
}

/** Opens an AMQP connection, or resolves with the error text when the broker refuses it. */
export async function tryConnect(url: string): Promise<amqp.ChannelModel | string> {
  try {
    const c = await amqp.connect(url);
    c.on('error', () => undefined);
    return c;
  } catch (err) {
    return String((err as Error).message);
  }
}

/** Polls until ok(probe()) holds; fails naming what was awaited (RabbitMQ applies some changes after answering). */
export async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
