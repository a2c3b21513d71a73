import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerCertSanName, SAN_TYPES } from '../../../src/amqp/cert-san.js';
import { peerCertCommonName, peerCertIssuer, peerCertSubject, peerCertValidity } from '../../../src/amqp/cert-subject.js';
import { createTestPki, hasOpenssl, type TestPki } from '../../helpers/tls-certs.js';

/**
 * The certificate readers see DER the TLS layer verified, but they must still never throw nor loop
 * on bytes that are not what they expect: every reader returns a string or undefined for a
 * certificate cut short, with bytes overwritten, or replaced by garbage.
 */
describe.skipIf(!hasOpenssl())('certificate readers on damaged DER', () => {
  let pki: TestPki;
  let der: Buffer;
  beforeAll(() => {
    pki = createTestPki();
    const san = 'DNS:a.example,email:b@example.com,URI:urn:x,IP:10.0.0.1,otherName:1.2.3.4;UTF8:o';
    der = new X509Certificate(pki.read(pki.issueClient({ subject: '/C=US/O=Acme/CN=bob', san }).cert)).raw;
  });
  afterAll(() => pki.remove());

  const readAll = (bytes: Buffer): unknown[] => [
    peerCertSubject(bytes),
    peerCertIssuer(bytes),
    peerCertCommonName(bytes),
    peerCertValidity(bytes),
    ...SAN_TYPES.map((t) => peerCertSanName(bytes, t, 0)),
  ];
  const stringOrUndefined = (values: unknown[]): boolean => values.every((v) => v === undefined || typeof v === 'string');

  it('reads the intact certificate', () => {
    expect(readAll(der)).toEqual([
      'CN=bob,O=Acme,C=US',
      'CN=Warren Test CA,O=Warren Tests',
      'bob',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ - \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      'a.example',
      '10.0.0.1',
      'b@example.com',
      'urn:x',
      'o',
    ]);
  });

  it('never throws on truncations, overwritten bytes or garbage', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.nat({ max: der.length }).map((n) => der.subarray(0, n)),
          fc.tuple(fc.nat({ max: der.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]) => {
            const copy = Buffer.from(der);
            copy.set(bytes.subarray(0, copy.length - at), at);
            return copy;
          }),
          fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
        ),
        (bytes) => stringOrUndefined(readAll(bytes)),
      ),
      { numRuns: 2000 },
    );
  });
});
