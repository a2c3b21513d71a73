import { copyFileSync } from 'node:fs';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/index.js';
import { createLogger } from '../../../src/util/logger.js';
import { withBroker } from '../../helpers/broker.js';
import { jsonLogSink } from '../../helpers/json-logs.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';
import { clientTls, negotiated, servedCertificate, tlsBroker } from './support.js';

const PASSPHRASE = 'correct horse battery staple';

describe.skipIf(!hasOpenssl())('an encrypted private key (tlsKeyPassphrase, ssl_options.password)', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  it('serves amqps with a PKCS#8 or a traditional encrypted key and its passphrase', async () => {
    for (const form of ['pkcs8', 'traditional'] as const) {
      const key = pki.encryptKey(pki.server.key, PASSPHRASE, form);
      await withBroker(async (broker) => {
        const c = await amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.tlsPort}`, clientTls(pki));
        await (await c.createChannel()).assertQueue(`q-${form}`);
        await c.close();
      }, tlsBroker(pki, { tlsKey: key, tlsKeyPassphrase: PASSPHRASE }));
    }
  });

  it('refuses to start without the passphrase or with a wrong one, saying which, never showing it', async () => {
    const key = pki.encryptKey(pki.server.key, PASSPHRASE);
    const { lines, sink } = jsonLogSink();
    const logger = createLogger('debug', sink);
    await expect(startBroker({ port: 0, ...tlsBroker(pki, { tlsKey: key, logger }) })).rejects.toMatchObject({
      kind: 'config',
      message: `tlsKey ${key}: the key is encrypted: set tlsKeyPassphrase (--tls-key-passphrase, WARREN_TLS_KEY_PASSPHRASE)`,
    });
    const wrong = 'wrong horse battery staple';
    const failure = await startBroker({ port: 0, ...tlsBroker(pki, { tlsKey: key, tlsKeyPassphrase: wrong, logger }) }).then(
      () => new Error('started'),
      (err: unknown) => err as Error,
    );
    expect(failure).toMatchObject({ kind: 'config', message: `tlsKey ${key}: cannot be decrypted with tlsKeyPassphrase (wrong passphrase?)` });
    expect(`${failure.message} ${String(failure.cause)}`).not.toContain(wrong);
    expect(JSON.stringify(lines)).not.toContain('horse');
  });

  it('on reload, keeps the old context when the new key does not decrypt, and takes one that does', async () => {
    const live = pki.issueServer('passphrase-live');
    const liveKey = pki.encryptKey(live.key, PASSPHRASE, 'pkcs8', 'passphrase-live-enc');
    const { lines, sink } = jsonLogSink();
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      const before = await servedCertificate(port, pki);
      const next = pki.issueServer();
      copyFileSync(next.cert, live.cert);
      copyFileSync(pki.encryptKey(next.key, 'another passphrase'), liveKey);
      await expect(broker.reloadTls()).rejects.toThrow(`tlsKey ${liveKey}: cannot be decrypted with tlsKeyPassphrase (wrong passphrase?)`);
      expect((await servedCertificate(port, pki)).serialNumber).toBe(before.serialNumber);
      copyFileSync(pki.encryptKey(next.key, PASSPHRASE), liveKey);
      await broker.reloadTls();
      expect((await servedCertificate(port, pki)).serialNumber).not.toBe(before.serialNumber);
    }, tlsBroker(pki, { tlsCert: live.cert, tlsKey: liveKey, tlsKeyPassphrase: PASSPHRASE, logger: createLogger('debug', sink) }));
    expect(lines.some((l) => l['event'] === 'tls.reload-failed')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('horse');
  });
});

describe.skipIf(!hasOpenssl())('cipher suites (tlsCiphers, tlsHonorCipherOrder)', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  const AES128 = 'ECDHE-ECDSA-AES128-GCM-SHA256';
  const AES256 = 'ECDHE-ECDSA-AES256-GCM-SHA384';
  const tls12 = (ciphers: string) => ({ maxVersion: 'TLSv1.2', ciphers }) as const;

  it('TLS 1.2: a client limited to a suite not in the list fails the handshake, one in the list is served', async () => {
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      await expect(negotiated(port, pki, tls12(AES256))).rejects.toThrow(/handshake failure/);
      await expect(negotiated(port, pki, tls12(AES128))).resolves.toEqual({ protocol: 'TLSv1.2', cipher: AES128 });
      const c = await amqp.connect(`amqps://guest:guest@127.0.0.1:${port}`, { ...clientTls(pki), ...tls12(AES128) });
      await c.close();
      // No TLS 1.3 suite listed: TLS 1.3 is off, so a default client settles on TLS 1.2 with the listed suite.
      await expect(negotiated(port, pki)).resolves.toEqual({ protocol: 'TLSv1.2', cipher: AES128 });
    }, tlsBroker(pki, { tlsCiphers: [AES128] }));
  });

  it('TLS 1.3: only the listed TLS_ suites are negotiated', async () => {
    await withBroker(async (broker) => {
      const port = broker.tlsPort as number;
      await expect(negotiated(port, pki, { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' })).rejects.toThrow(/handshake failure/);
      await expect(negotiated(port, pki, { minVersion: 'TLSv1.3', ciphers: 'TLS_CHACHA20_POLY1305_SHA256' })).resolves.toEqual({
        protocol: 'TLSv1.3',
        cipher: 'TLS_CHACHA20_POLY1305_SHA256',
      });
      await expect(negotiated(port, pki, tls12(AES256))).resolves.toEqual({ protocol: 'TLSv1.2', cipher: AES256 });
    }, tlsBroker(pki, { tlsCiphers: ['TLS_CHACHA20_POLY1305_SHA256', AES256] }));
  });

  it("picks by the client's order unless tlsHonorCipherOrder, then by the list's", async () => {
    const client = tls12(`${AES128}:${AES256}`);
    await withBroker(async (broker) => {
      expect((await negotiated(broker.tlsPort as number, pki, client)).cipher).toBe(AES128);
    }, tlsBroker(pki, { tlsCiphers: [AES256, AES128] }));
    await withBroker(async (broker) => {
      expect((await negotiated(broker.tlsPort as number, pki, client)).cipher).toBe(AES256);
    }, tlsBroker(pki, { tlsCiphers: [AES256, AES128], tlsHonorCipherOrder: true }));
  });

  it('refuses an unknown suite name, and a list that leaves TLS 1.3 alone without suites, before start', async () => {
    await expect(startBroker({ port: 0, ...tlsBroker(pki, { tlsCiphers: [AES128, 'ECDHE-ECDSA-AES512-GCM'] }) })).rejects.toThrow(
      'tlsCiphers: unknown cipher suite "ECDHE-ECDSA-AES512-GCM"',
    );
    await expect(startBroker({ port: 0, ...tlsBroker(pki, { tlsCiphers: [AES128], tlsMinVersion: 'TLSv1.3' }) })).rejects.toThrow(
      'tlsCiphers (--tls-ciphers) names no TLS 1.3 suite',
    );
  });
});
