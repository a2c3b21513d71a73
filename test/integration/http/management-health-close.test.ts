import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { openBroker, withBroker } from '../../helpers/broker.js';
import { createTestPki, hasOpenssl } from '../../helpers/tls-certs.js';

/* Health checks and closing a connection, through inject() on a real embedded broker; bodies as RabbitMQ's handlers build them. */

let broker: Broker;
let close: () => Promise<void>;

const basic = (user: string, password: string): string => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
const GUEST = basic('guest', 'guest');

async function call(b: Broker, method: 'GET' | 'DELETE', url: string, auth = GUEST, headers: Record<string, string> = {}) {
  const res = await b.managementApp!.inject({ method, url, headers: { authorization: auth, ...headers } });
  return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown) };
}

beforeAll(async () => {
  ({ broker, close } = await openBroker({ managementPort: 0 }));
  await broker.users.put({ name: 'mgmt', password: 'pw', tags: ['management'] });
  await broker.users.put({ name: 'mon', password: 'pw', tags: ['monitoring'] });
  await broker.permissions.set({ user: 'mgmt', vhost: '/', configure: '.*', write: '.*', read: '.*' });
});

afterAll(async () => {
  await close();
});

describe('health checks', () => {
  it('answers ok without alarms, for any management user', async () => {
    for (const path of ['alarms', 'local-alarms', 'virtual-hosts']) {
      expect(await call(broker, 'GET', `/api/health/checks/${path}`, basic('mgmt', 'pw'))).toEqual({ status: 200, body: { status: 'ok' } });
    }
  });

  it('answers 503 with the alarms in effect', async () => {
    await withBroker(async (b) => {
      // The disk check runs just after start: wait for it.
      let cluster = await call(b, 'GET', '/api/health/checks/alarms');
      for (let i = 0; i < 100 && cluster.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        cluster = await call(b, 'GET', '/api/health/checks/alarms');
      }
      expect(cluster).toEqual({
        status: 503,
        body: { status: 'failed', reason: 'There are alarms in effect in the cluster', alarms: [{ node: expect.stringMatching(/^warren@/), resource: 'disk space' }] },
      });
      expect(await call(b, 'GET', '/api/health/checks/local-alarms')).toMatchObject({ status: 503, body: { reason: 'There are alarms in effect on the node', alarms: [{ resource: 'disk space' }] } });
    }, { managementPort: 0, diskFreeLimit: 1e15 });
  });

  it('checks a port and a protocol against the listeners', async () => {
    const amqpPort = Number(new URL(broker.url).port);
    expect(await call(broker, 'GET', `/api/health/checks/port-listener/${amqpPort}`)).toEqual({ status: 200, body: { status: 'ok', port: amqpPort } });
    const missing = await call(broker, 'GET', '/api/health/checks/port-listener/1');
    expect(missing).toEqual({ status: 503, body: { status: 'failed', reason: 'No active listener', missing: 1, ports: expect.arrayContaining([amqpPort, broker.managementPort]) } });
    expect(await call(broker, 'GET', '/api/health/checks/port-listener/abc')).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Invalid port' } });
    expect(await call(broker, 'GET', '/api/health/checks/protocol-listener/AMQP091')).toEqual({ status: 200, body: { status: 'ok', protocol: 'amqp' } });
    expect(await call(broker, 'GET', '/api/health/checks/protocol-listener/http')).toEqual({ status: 200, body: { status: 'ok', protocol: 'http' } });
    expect(await call(broker, 'GET', '/api/health/checks/protocol-listener/amqps')).toEqual({
      status: 503,
      body: { status: 'failed', reason: 'No active listener', missing: 'amqp/ssl', protocols: expect.arrayContaining(['amqp', 'http']) },
    });
  });
});

describe.skipIf(!hasOpenssl())('certificate-expiration', () => {
  it('lists the amqps listener whose certificates expire within the period, and refuses bad input', async () => {
    const pki = createTestPki(); // CA and server certificate valid for 2 days
    try {
      await withBroker(async (b) => {
        const path = '/api/health/checks/certificate-expiration';
        expect(await call(b, 'GET', `${path}/1/days`)).toEqual({ status: 200, body: { status: 'ok' } });
        const soon = await call(b, 'GET', `${path}/1/WEEKS`);
        const date = expect.stringMatching(/^\d{4}-\d\d-\d\d \d{1,2}:\d\d:\d\d$/);
        expect(soon).toEqual({
          status: 503,
          body: {
            status: 'failed',
            reason: 'Certificates expiring',
            expired: [{ node: expect.stringMatching(/^warren@/), protocol: 'amqp/ssl', interface: '127.0.0.1', port: b.tlsPort, certfile: pki.server.cert, cacertfile: pki.ca, certfile_expires_on: [date], cacertfile_expires_on: [date] }],
          },
        });
        expect(await call(b, 'GET', `${path}/x/days`)).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Invalid expiration value.' } });
        expect(await call(b, 'GET', `${path}/1/fortnights`)).toEqual({ status: 400, body: { error: 'bad_request', reason: 'Time unit not recognised. Supported units: days, weeks, months, years.' } });
      }, { managementPort: 0, tlsPort: 0, tlsCert: pki.server.cert, tlsKey: pki.server.key, tlsCa: pki.ca });
      // Without TLS there is nothing to expire.
      expect(await call(broker, 'GET', '/api/health/checks/certificate-expiration/100/years')).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      pki.remove();
    }
  });
});

describe('DELETE /api/connections/{name}', () => {
  async function open(user: string, name: string) {
    const url = broker.url.replace('guest:guest', user);
    const conn = await amqp.connect(url, { clientProperties: { connection_name: name } });
    conn.on('error', () => undefined);
    // amqplib hands a server's connection.close to 'close', as an error carrying the code.
    const closed = new Promise<Error & { code?: number }>((resolve) => conn.on('close', resolve));
    await conn.createChannel();
    const c = broker.readModel.connections().find((x) => x.clientProperties?.['connection_name'] === name)!;
    return { conn, closed, name: encodeURIComponent(c.name) };
  }

  it('closes with 320 and the X-Reason, or RabbitMQ\'s default text; 404 for an unknown name', async () => {
    const a = await open('guest:guest', 'closes-a');
    expect(await call(broker, 'DELETE', `/api/connections/${a.name}`, GUEST, { 'x-reason': 'maintenance' })).toEqual({ status: 204, body: undefined });
    const errA = await a.closed;
    expect(errA.code).toBe(320);
    expect(errA.message).toContain('CONNECTION_FORCED - maintenance');
    const b = await open('guest:guest', 'closes-b');
    expect((await call(broker, 'DELETE', `/api/connections/${b.name}`)).status).toBe(204);
    expect((await b.closed).message).toContain('CONNECTION_FORCED - Closed via management plugin');
    expect(await call(broker, 'DELETE', '/api/connections/nope')).toEqual({ status: 404, body: { error: 'Object Not Found', reason: 'Not Found' } });
  });

  it('lets a non-administrator close only its own connections', async () => {
    const g = await open('guest:guest', 'guest-owned');
    expect((await call(broker, 'DELETE', `/api/connections/${g.name}`, basic('mgmt', 'pw'))).status).toBe(404);
    expect(await call(broker, 'DELETE', `/api/connections/${g.name}`, basic('mon', 'pw'))).toEqual({ status: 401, body: { error: 'not_authorised', reason: 'User not authorised to access object' } });
    const m = await open('mgmt:pw', 'mgmt-owned');
    expect((await call(broker, 'DELETE', `/api/connections/${m.name}`, basic('mgmt', 'pw'))).status).toBe(204);
    expect((await m.closed).code).toBe(320);
    expect(broker.readModel.connections().some((c) => c.clientProperties?.['connection_name'] === 'guest-owned')).toBe(true);
    await g.conn.close();
  });
});
