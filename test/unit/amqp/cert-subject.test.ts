import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeRdnValue, peerCertCommonName, peerCertSubject } from '../../../src/amqp/cert-subject.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';

/**
 * Expected strings follow rabbit_cert_info:format_rdn_sequence/1 and escape_rdn_value/2 (RabbitMQ
 * 3.x and 4.x): RDNs last to first, RabbitMQ's attribute names, '+' inside an RDN, and byte-wise
 * escapes (UTF-8 beyond ASCII as \XX).
 */
describe.skipIf(!hasOpenssl())('client certificate subject, as RabbitMQ writes it', () => {
  let pki: TestPki;
  const der = (subject: string, multivalue = false): Buffer =>
    new X509Certificate(pki.read(pki.issueClient({ subject, multivalue }).cert)).raw;

  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  it('writes the subject in RFC 4514 order with RabbitMQ names', () => {
    expect(peerCertSubject(der('/C=US/O=Acme/CN=bob'))).toBe('CN=bob,O=Acme,C=US');
    expect(peerCertSubject(der('/C=GB/ST=London/L=Soho/O=Acme/OU=Ops/CN=app'))).toBe('CN=app,OU=Ops,O=Acme,L=Soho,ST=London,C=GB');
    expect(peerCertSubject(der('/DC=com/DC=acme/UID=u7/emailAddress=a@acme.com/serialNumber=42/CN=x'))).toBe(
      'CN=x,SERIALNUMBER=42,EMAILADDRESS=a@acme.com,UID=u7,DC=acme,DC=com',
    );
  });

  it('writes an attribute RabbitMQ has no name for as its dotted OID', () => {
    expect(peerCertSubject(der('/postalCode=12345/businessCategory=b/CN=x'))).toBe('CN=x,2.5.4.15=b,2.5.4.17=12345');
  });

  it("joins a multi-valued RDN's attributes with '+'", () => {
    expect(peerCertSubject(der('/O=Acme/CN=bob+UID=7', true))).toMatch(/^(CN=bob\+UID=7|UID=7\+CN=bob),O=Acme$/);
  });

  it('escapes as escape_rdn_value does', () => {
    expect(peerCertSubject(der('/O=A\\, Inc.\\+;<>"\\\\/CN=Zoë ~x'))).toBe('CN=Zo\\C3\\AB \\7Ex,O=A\\, Inc.\\+\\;\\<\\>\\"\\\\');
    expect(escapeRdnValue(Buffer.from(' #a=b '))).toBe('\\ #a=b\\ ');
    expect(escapeRdnValue(Buffer.from('#x'))).toBe('\\#x');
    expect(escapeRdnValue(Buffer.from(' '))).toBe('\\ ');
    expect(escapeRdnValue(Buffer.from('a\tb\x7f'))).toBe('a\\09b\\7F');
  });

  it('takes the CN alone, unescaped, and joins several', () => {
    expect(peerCertCommonName(der('/C=US/O=Acme/CN=bob'))).toBe('bob');
    expect(peerCertCommonName(der('/O=Acme/CN=Zoë, Jr.'))).toBe('Zoë, Jr.');
    expect(peerCertCommonName(der('/CN=a/O=x/CN=b'))).toBe('a,b');
    expect(peerCertCommonName(der('/O=Acme'))).toBeUndefined();
  });

  it('returns undefined for bytes that are not a certificate', () => {
    expect(peerCertSubject(Buffer.from([0x30, 0x05, 1, 2]))).toBeUndefined();
    expect(peerCertCommonName(Buffer.alloc(0))).toBeUndefined();
  });
});
