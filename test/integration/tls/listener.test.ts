import { copyFileSync } from 'node:fs';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';
import { clientTls, servedCertificate, tlsBroker } from './support.js';

describe.skipIf(!hasOpenssl())('the amqps listener', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  it('serves amqplib over amqps:// while the plain listener keeps working', async () => {
    await withBroker(async (broker) => {
      expect(broker.tlsPort).toBeGreaterThan(0);
      const secure = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.tlsPort}`, clientTls(pki));
      const plain = await amqp.connect(broker.url);
      const ch = await secure.createChannel();
      await ch.assertQueue('q-tls');
      ch.sendToQueue('q-tls', Buffer.from('over tls'));
      const got = await (await plain.createChannel()).get('q-tls', { noAck: true });
      expect(got && got.content.toString()).toBe('over tls');
      await secure.close();
      await plain.close();
    }, tlsBroker(pki));
  });

  it('is off unless tlsPort is set', async () => {
    await withBroker(async (broker) => {
      expect(broker.tlsPort).toBeUndefined();
      await expect(broker.reloadTls()).rejects.toThrow('TLS is not configured');
    });
  });

  it('with verify peer and fail if no peer cert, refuses a client without a certificate and serves one with', async () => {
    await withBroker(async (broker) => {
      const url = `amqps://guest:guest@127.0.0.1:${broker.tlsPort}`;
      await expect(amqp.connect(url, clientTls(pki))).rejects.toThrow(/certificate required|alert|socket hang up|ECONNRESET|closed/i);
      const bob = pki.issueClient({ subject: '/C=US/O=Acme/CN=bob' });
      const c = await amqp.connect(url, clientTls(pki, bob));
      await c.close();
    }, tlsBroker(pki, { tlsVerifyPeer: true, tlsFailIfNoPeerCert: true }));
  });

  it('with verify peer alone, serves a client without a certificate and refuses one the CA did not sign', async () => {
    const { lines, sink } = jsonLogSink();
    await withBroker(async (broker) => {
      const url = `amqps://guest:guest@127.0.0.1:${broker.tlsPort}`;
      const c = await amqp.connect(url, clientTls(pki));
      await c.close();
      const stranger = pki.issueStranger('/CN=mallory');
      await expect(amqp.connect(url, clientTls(pki, stranger))).rejects.toThrow();
      await eventually(() => lines.some((l) => l['event'] === 'tls.peer-refused'));
    }, tlsBroker(pki, { tlsVerifyPeer: true, logger: createLogger('warn', sink) }));
  });

  it('with tlsMinVersion TLSv1.3, refuses a TLS 1.2 handshake', async () => {
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      await expect(servedCertificate(port, pki, { maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version|unsupported protocol|alert/i);
      await expect(servedCertificate(port, pki, { minVersion: 'TLSv1.3' })).resolves.toHaveProperty('serialNumber');
    }, tlsBroker(pki, { tlsMinVersion: 'TLSv1.3' }));
    await withBroker(async (broker) => {
      await expect(servedCertificate(broker.tlsPort as number, pki, { maxVersion: 'TLSv1.2' })).resolves.toHaveProperty('serialNumber');
    }, tlsBroker(pki));
  });

  it('refuses to start on a missing or unusable file, naming it (configuration error)', async () => {
    const missing = `${pki.dir}/nope.pem`;
    await expect(startBroker({ port: 0, ...tlsBroker(pki, { tlsCert: missing }) })).rejects.toMatchObject({
      kind: 'config',
      message: `tlsCert ${missing}: cannot read: no such file`,
    });
    const other = pki.issueServer();
    await expect(startBroker({ port: 0, ...tlsBroker(pki, { tlsKey: other.key }) })).rejects.toThrow(
      `tlsKey ${other.key} is not the key of the certificate in tlsCert ${pki.server.cert}`,
    );
    await expect(startBroker({ port: 0, ...tlsBroker(pki, { tlsCa: pki.server.key }) })).rejects.toThrow(`tlsCa ${pki.server.key}: not a PEM certificate`);
  });
});

describe.skipIf(!hasOpenssl())('certificate reload', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  /** Server files of the test's own, which it then overwrites. */
  const served = (name: string): { cert: string; key: string } => pki.issueServer(`${name}-live`);

  it('broker.reloadTls() serves the new certificate to new connections; open ones keep working', async () => {
    const live = served('api');
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      const before = await servedCertificate(port, pki);
      const open = await amqp.connect(`amqps://guest:guest@127.0.0.1:${port}`, clientTls(pki));
      const next = pki.issueServer();
      copyFileSync(next.cert, live.cert);
      copyFileSync(next.key, live.key);
      await broker.reloadTls();
      const after = await servedCertificate(port, pki);
      expect(after.serialNumber).not.toBe(before.serialNumber);
      expect(after.fingerprint256).not.toBe(before.fingerprint256);
      await (await open.createChannel()).assertQueue('still-open');
      await open.close();
    }, tlsBroker(pki, { tlsCert: live.cert, tlsKey: live.key }));
  });

  it('keeps serving the old certificate when the new files are bad, and says why', async () => {
    const live = served('bad');
    const { lines, sink } = jsonLogSink();
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      const before = await servedCertificate(port, pki);
      copyFileSync(pki.issueServer().cert, live.cert); // a new certificate, the old key: a mismatch
      await expect(broker.reloadTls()).rejects.toThrow('is not the key of the certificate in');
      expect((await servedCertificate(port, pki)).serialNumber).toBe(before.serialNumber);
      expect(lines.find((l) => l['event'] === 'tls.reload-failed')?.['error']).toContain('is not the key of the certificate in');
    }, tlsBroker(pki, { tlsCert: live.cert, tlsKey: live.key, logger: createLogger('info', sink) }));
  });

  it('reloads by itself when the files change', async () => {
    const live = served('watch');
    const { lines, sink } = jsonLogSink();
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      const before = await servedCertificate(port, pki);
      const next = pki.issueServer();
      copyFileSync(next.key, live.key);
      copyFileSync(next.cert, live.cert);
      await eventually(() => lines.some((l) => l['event'] === 'tls.reloaded' && l['trigger'] === 'file-change'), 10_000, 'no reload after the files changed');
      const after = await servedCertificate(port, pki);
      expect(after.serialNumber).not.toBe(before.serialNumber);
      expect(after.serialNumber.toLowerCase()).toBe(String(lines.find((l) => l['event'] === 'tls.reloaded')?.['serialNumber']).toLowerCase());
    }, tlsBroker(pki, { tlsCert: live.cert, tlsKey: live.key, logger: createLogger('info', sink) }));
  });
});
