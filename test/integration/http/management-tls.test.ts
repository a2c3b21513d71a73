import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { withBroker } from '../../helpers/broker.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';
import { servedCertificate } from '../tls/support.js';

/*
 * The management API over HTTPS (RabbitMQ's management.ssl.*): real TLS sockets against a real
 * broker, certificates made with openssl at test time. By default the amqps certificate is served;
 * management-specific files replace it. overview's listeners[] shows the listener as protocol https,
 * and the certificate-expiration health check covers it, as RabbitMQ's covers every active listener.
 */

const GUEST = 'Basic ' + Buffer.from('guest:guest').toString('base64');

function httpsGet(port: number, path: string, pki: TestPki): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca: [pki.read(pki.ca)], headers: { authorization: GUEST } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.once('error', reject);
    req.end();
  });
}

async function listeners(b: Broker): Promise<{ protocol: string; port: number; ip_address: string }[]> {
  const res = await b.managementApp!.inject({ method: 'GET', url: '/api/overview', headers: { authorization: GUEST } });
  return (JSON.parse(res.body) as { listeners: { protocol: string; port: number; ip_address: string }[] }).listeners;
}

async function httpsPort(b: Broker): Promise<number> {
  const https = (await listeners(b)).filter((l) => l.protocol === 'https');
  expect(https.length).toBeGreaterThan(0);
  return https[0]!.port;
}

describe.skipIf(!hasOpenssl())('management API over HTTPS', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  it('serves the amqps certificate on managementTlsPort, beside plain HTTP, listed as protocol https', async () => {
    await withBroker(
      async (b) => {
        const port = await httpsPort(b);
        expect(port).not.toBe(b.managementPort);
        expect(port).not.toBe(b.tlsPort);
        const res = await httpsGet(port, '/api/overview', pki);
        expect(res.status).toBe(200);
        expect(res.body['product_name']).toBe('Warren');
        expect([...new Set((res.body['listeners'] as { protocol: string }[]).map((l) => l.protocol))].sort()).toEqual(['amqp', 'amqp/ssl', 'http', 'https']);
        const served = await servedCertificate(port, pki);
        const amqps = await servedCertificate(b.tlsPort!, pki);
        expect(served.fingerprint256).toBe(amqps.fingerprint256);
        // Plain HTTP on the HTTPS port gets no API answer.
        const plain = await new Promise<string>((resolve) => {
          const req = httpRequest({ host: '127.0.0.1', port, path: '/api/overview', headers: { authorization: GUEST } }, (r) => resolve(`status ${r.statusCode}`));
          req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
          req.end();
        });
        expect(plain).not.toBe('status 200');
      },
      { managementPort: 0, managementTlsPort: 0, tlsPort: 0, tlsCert: pki.server.cert, tlsKey: pki.server.key, tlsCa: pki.ca },
    );
  });

  it('serves management-specific certificate files when given, also without plain HTTP or amqps', async () => {
    const own = pki.issueServer('management');
    await withBroker(
      async (b) => {
        expect(b.managementPort).toBeUndefined();
        expect(b.tlsPort).toBeUndefined();
        expect([...new Set((await listeners(b)).map((l) => l.protocol))]).toEqual(['amqp', 'https']); // one per --bind address
        const port = await httpsPort(b);
        const served = await servedCertificate(port, pki);
        expect(served.serialNumber.toLowerCase()).toBe((await servedSerial(own.cert)).toLowerCase());
        expect((await httpsGet(port, '/api/whoami', pki)).body).toEqual({ name: 'guest', tags: ['administrator'] });
      },
      { managementTlsPort: 0, managementTlsCert: own.cert, managementTlsKey: own.key, managementTlsCa: pki.ca },
    );
  });

  it('prefers the management files to the amqps ones when both are given', async () => {
    const own = pki.issueServer('management-2');
    await withBroker(
      async (b) => {
        const served = await servedCertificate(await httpsPort(b), pki);
        expect(served.serialNumber.toLowerCase()).toBe((await servedSerial(own.cert)).toLowerCase());
        expect((await servedCertificate(b.tlsPort!, pki)).serialNumber.toLowerCase()).toBe((await servedSerial(pki.server.cert)).toLowerCase());
      },
      { managementTlsPort: 0, managementTlsCert: own.cert, managementTlsKey: own.key, tlsPort: 0, tlsCert: pki.server.cert, tlsKey: pki.server.key },
    );
  });

  it('is covered by the certificate-expiration health check', async () => {
    const own = pki.issueServer('expiring'); // the test PKI's certificates are valid for 2 days
    await withBroker(
      async (b) => {
        const port = await httpsPort(b);
        const res = await httpsGet(port, '/api/health/checks/certificate-expiration/1/weeks', pki);
        expect(res.status).toBe(503);
        const expired = res.body['expired'] as Record<string, unknown>[];
        expect(expired.length).toBeGreaterThan(0); // one per --bind address
        for (const e of expired) expect([e['protocol'], e['port'], e['certfile'], e['cacertfile']]).toEqual(['https', port, own.cert, pki.ca]);
        expect((await httpsGet(port, '/api/health/checks/certificate-expiration/1/days', pki)).body).toEqual({ status: 'ok' });
      },
      { managementTlsPort: 0, managementTlsCert: own.cert, managementTlsKey: own.key, managementTlsCa: pki.ca },
    );
  });

  it('refuses options that do not fit together, and unreadable files, before serving', async () => {
    await expect(startBroker({ port: 0, managementTlsCert: pki.server.cert, managementTlsKey: pki.server.key })).rejects.toThrow(
      /managementTlsCert, managementTlsKey set but managementTlsPort \(--management-tls-port\) is not/,
    );
    await expect(startBroker({ port: 0, managementTlsPort: 0 })).rejects.toThrow(/managementTlsPort \(--management-tls-port\) is set: give managementTlsCert and managementTlsKey/);
    await expect(startBroker({ port: 0, managementTlsPort: 0, managementTlsCert: pki.server.cert })).rejects.toThrow(/go together/);
    await expect(startBroker({ port: 0, managementTlsPort: 0, managementTlsCert: '/nonexistent/cert.pem', managementTlsKey: pki.server.key })).rejects.toThrow(
      /management HTTPS: tlsCert \/nonexistent\/cert.pem: cannot read: no such file/,
    );
  });
});

/** A certificate file's serial, as the TLS peer certificate shows it. */
async function servedSerial(certFile: string): Promise<string> {
  const { X509Certificate } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  return new X509Certificate(readFileSync(certFile)).serialNumber;
}
