import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerCertSanName } from '../../../src/amqp/cert-san.js';
import { peerCertIssuer, peerCertValidity } from '../../../src/amqp/cert-subject.js';
import { suiteParts } from '../../../src/amqp/tls-details.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';

/**
 * Expected names follow rabbit_ssl:peer_cert_auth_name/2 for subject_alternative_name (3.10's and
 * 4.x's alike, checked with `rabbitmqctl eval` on 3.10 against a certificate made the same way):
 * the entries of one type in certificate order, picked by a 0-based index, otherName values decoded
 * when they are a DirectoryString type. The one deviation: ip is written as text, not raw bytes.
 */
describe.skipIf(!hasOpenssl())('client certificate subjectAltName, as RabbitMQ picks it', () => {
  let pki: TestPki;
  let der: Buffer;
  beforeAll(() => {
    pki = createTestPki();
    const san = [
      'otherName:1.3.6.1.4.1.311.20.2.3;UTF8:carol@corp',
      'DNS:one.example',
      'email:bob@example.com',
      'otherName:1.2.3.4;IA5STRING:ia5-is-no-directory-string',
      'DNS:two.example',
      'URI:spiffe://example/bob',
      'IP:10.0.0.1',
      'IP:2001:db8:0:0:0:0:0:1',
      'otherName:1.2.3.5;PRINTABLESTRING:printable',
    ].join(',');
    der = new X509Certificate(pki.read(pki.issueClient({ subject: '/CN=carol', san }).cert)).raw;
  });
  afterAll(() => pki.remove());

  it('takes the entry of the type at the index, counting that type only, in certificate order', () => {
    expect(peerCertSanName(der, 'dns', 0)).toBe('one.example');
    expect(peerCertSanName(der, 'dns', 1)).toBe('two.example');
    expect(peerCertSanName(der, 'email', 0)).toBe('bob@example.com');
    expect(peerCertSanName(der, 'uri', 0)).toBe('spiffe://example/bob');
  });

  it('names no user past the last entry of the type', () => {
    expect(peerCertSanName(der, 'dns', 2)).toBeUndefined();
    expect(peerCertSanName(der, 'email', 1)).toBeUndefined();
    const plain = new X509Certificate(pki.read(pki.issueClient({ subject: '/CN=nosan' }).cert)).raw;
    expect(peerCertSanName(plain, 'dns', 0)).toBeUndefined();
  });

  it('decodes an otherName holding a DirectoryString, and names nobody with any other value type', () => {
    expect(peerCertSanName(der, 'other_name', 0)).toBe('carol@corp');
    expect(peerCertSanName(der, 'other_name', 1)).toBeUndefined(); // an IA5String: RabbitMQ's login fails too
    expect(peerCertSanName(der, 'other_name', 2)).toBe('printable');
  });

  it('writes an IP address as text (RabbitMQ: the raw address bytes)', () => {
    expect(peerCertSanName(der, 'ip', 0)).toBe('10.0.0.1');
    expect(peerCertSanName(der, 'ip', 1)).toBe('2001:db8::1');
  });

  it('writes the issuer and the validity as management shows them', () => {
    const cert = new X509Certificate(der);
    expect(peerCertIssuer(der)).toBe('CN=Warren Test CA,O=Warren Tests');
    const iso = (date: string): string => new Date(date).toISOString().replace('.000Z', 'Z');
    expect(peerCertValidity(der)).toBe(`${iso(cert.validFrom)} - ${iso(cert.validTo)}`);
  });
});

describe('cipher suite parts, as Erlang names them', () => {
  it('splits TLS 1.2 suites into key exchange, cipher and MAC, aead for AEAD ciphers', () => {
    expect(suiteParts('TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384')).toEqual({ keyExchange: 'ecdhe_ecdsa', cipher: 'aes_256_cbc', hash: 'sha384' });
    expect(suiteParts('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256')).toEqual({ keyExchange: 'ecdhe_rsa', cipher: 'aes_128_gcm', hash: 'aead' });
    expect(suiteParts('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256')).toEqual({ keyExchange: 'ecdhe_ecdsa', cipher: 'chacha20_poly1305', hash: 'aead' });
    expect(suiteParts('TLS_RSA_WITH_AES_128_CBC_SHA')).toEqual({ keyExchange: 'rsa', cipher: 'aes_128_cbc', hash: 'sha' });
    expect(suiteParts('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8')).toEqual({ keyExchange: 'ecdhe_ecdsa', cipher: 'aes_128_ccm_8', hash: 'aead' });
  });

  it('gives TLS 1.3 suites the key exchange any and the MAC aead', () => {
    expect(suiteParts('TLS_AES_256_GCM_SHA384')).toEqual({ keyExchange: 'any', cipher: 'aes_256_gcm', hash: 'aead' });
    expect(suiteParts('TLS_CHACHA20_POLY1305_SHA256')).toEqual({ keyExchange: 'any', cipher: 'chacha20_poly1305', hash: 'aead' });
  });
});
