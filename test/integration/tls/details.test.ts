import { X509Certificate } from 'node:crypto';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker, ConnectionSnapshot } from '../../../src/index.js';
import { eventually, withBroker } from '../../helpers/broker.js';
import { createTestPki, hasOpenssl, type CertFiles, type TestPki } from '../../helpers/tls-certs.js';
import { clientTls, tlsBroker } from './support.js';

type TlsFields = Pick<
  ConnectionSnapshot,
  'ssl' | 'sslProtocol' | 'sslKeyExchange' | 'sslCipher' | 'sslHash' | 'peerCertSubject' | 'peerCertIssuer' | 'peerCertValidity'
>;

/** The TLS fields of the one connection the client opened, read through the read model. */
async function tlsFieldsOf(broker: Broker, connect: () => Promise<amqp.ChannelModel>): Promise<TlsFields> {
  const c = await connect();
  await eventually(() => broker.readModel.connections().some((s) => s.user === 'guest'));
  const s = broker.readModel.connections()[0]!;
  await c.close();
  await eventually(() => broker.readModel.connections().length === 0);
  const { ssl, sslProtocol, sslKeyExchange, sslCipher, sslHash, peerCertSubject, peerCertIssuer, peerCertValidity } = s;
  return { ssl, sslProtocol, sslKeyExchange, sslCipher, sslHash, peerCertSubject, peerCertIssuer, peerCertValidity };
}

/**
 * The values RabbitMQ 3.10's GET /api/connections showed for the same kinds of connection (amqplib,
 * EC P-256 certificates): ssl_protocol tlsv1.3, ssl_key_exchange any, ssl_cipher aes_256_gcm,
 * ssl_hash aead; over TLS 1.2 with ECDHE-ECDSA-AES256-SHA384: ecdhe_ecdsa, aes_256_cbc, sha384;
 * peer_cert_* null without a client certificate, everything null (ssl false) on plain TCP.
 */
describe.skipIf(!hasOpenssl())('connection TLS details in the read model (management ssl_* and peer_cert_*)', () => {
  let pki: TestPki;
  let bob: CertFiles;
  beforeAll(() => {
    pki = createTestPki();
    bob = pki.issueClient({ subject: '/C=US/O=Acme/CN=bob' });
  });
  afterAll(() => pki.remove());

  const validity = (file: string): string => {
    const cert = new X509Certificate(pki.read(file));
    const iso = (date: string): string => new Date(date).toISOString().replace('.000Z', 'Z');
    return `${iso(cert.validFrom)} - ${iso(cert.validTo)}`;
  };

  it('shows protocol, suite parts and the client certificate over TLS 1.3 and TLS 1.2', async () => {
    await withBroker(async (broker) => {
      const url = `amqps://guest:guest@127.0.0.1:${broker.tlsPort}`;
      const peer = { peerCertSubject: 'CN=bob,O=Acme,C=US', peerCertIssuer: 'CN=Warren Test CA,O=Warren Tests', peerCertValidity: validity(bob.cert) };
      expect(await tlsFieldsOf(broker, () => amqp.connect(url, { ...clientTls(pki, bob), ciphers: 'TLS_AES_256_GCM_SHA384' }))).toEqual({
        ssl: true,
        sslProtocol: 'tlsv1.3',
        sslKeyExchange: 'any',
        sslCipher: 'aes_256_gcm',
        sslHash: 'aead',
        ...peer,
      });
      const tls12 = { ...clientTls(pki, bob), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-SHA384' } as const;
      expect(await tlsFieldsOf(broker, () => amqp.connect(url, tls12))).toEqual({
        ssl: true,
        sslProtocol: 'tlsv1.2',
        sslKeyExchange: 'ecdhe_ecdsa',
        sslCipher: 'aes_256_cbc',
        sslHash: 'sha384',
        ...peer,
      });
    }, tlsBroker(pki, { tlsVerifyPeer: true }));
  });

  it('leaves the peer certificate fields out without a client certificate, and every TLS field on plain TCP', async () => {
    await withBroker(async (broker) => {
      const tls12 = { ...clientTls(pki), maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305' } as const;
      expect(await tlsFieldsOf(broker, () => amqp.connect(`amqps://guest:guest@127.0.0.1:${broker.tlsPort}`, tls12))).toEqual({
        ssl: true,
        sslProtocol: 'tlsv1.2',
        sslKeyExchange: 'ecdhe_ecdsa',
        sslCipher: 'chacha20_poly1305',
        sslHash: 'aead',
        peerCertSubject: undefined,
        peerCertIssuer: undefined,
        peerCertValidity: undefined,
      });
      expect(await tlsFieldsOf(broker, () => amqp.connect(broker.url))).toEqual({
        ssl: false,
        sslProtocol: undefined,
        sslKeyExchange: undefined,
        sslCipher: undefined,
        sslHash: undefined,
        peerCertSubject: undefined,
        peerCertIssuer: undefined,
        peerCertValidity: undefined,
      });
    }, tlsBroker(pki, { tlsVerifyPeer: true }));
  });
});
