import type { Broker } from '../../../src/index.js';
import { eventually } from '../../helpers/broker.js';

const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

/** The management API through inject(): no port. */
export async function api(broker: Broker, method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const app = broker.managementApp;
  if (app === undefined) throw new Error('start the broker with managementPort: 0');
  const res = await app.inject({ method, url, headers: { authorization: AUTH, 'content-type': 'application/json' }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  return { status: res.statusCode, json: res.body === '' ? undefined : JSON.parse(res.body) };
}

export async function putBridge(broker: Broker, name: string, value: Record<string, unknown>, vhost = '%2F'): Promise<void> {
  const res = await api(broker, 'PUT', `/api/parameters/nats-bridge/${vhost}/${name}`, { value });
  if (res.status !== 201 && res.status !== 204) throw new Error(`PUT nats-bridge ${name}: ${res.status} ${JSON.stringify(res.json)}`);
}

export async function bridgeState(broker: Broker, name: string): Promise<{ state: string; reason?: string } | undefined> {
  const res = await api(broker, 'GET', '/api/nats-bridges');
  return (res.json as { name: string; state: string }[]).find((b) => b.name === name);
}

export async function waitForState(broker: Broker, name: string, state: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const s = await bridgeState(broker, name);
    if (s?.state === state) return;
    if (Date.now() - start > timeoutMs) throw new Error(`bridge ${name} not ${state}: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { eventually };
