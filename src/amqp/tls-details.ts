import { peerCertIssuer, peerCertSubject, peerCertValidity } from './cert-subject.js';
import type { Transport } from './transport.js';
import type { TlsDetails } from '../core/snapshots.js';
export type { TlsDetails } from '../core/snapshots.js';

/**
 * Reads a connection's TLS details in RabbitMQ's formats, seen on RabbitMQ 3.10 with amqplib over TLS
 * 1.2 and 1.3: the protocol `tlsv1.3`; Erlang's names for the suite's parts (`ecdhe_ecdsa`,
 * `aes_256_cbc`, `sha384`; `any` as the key exchange and `aead` as the hash of TLS 1.3 and of every
 * AEAD suite); the client certificate's subject and issuer as the EXTERNAL login writes a DN and its
 * validity as `2026-12-02T14:57:09Z - 2026-12-04T14:57:09Z`.
 */
export const NO_TLS: TlsDetails = Object.freeze({
  ssl: false,
  sslProtocol: undefined,
  sslKeyExchange: undefined,
  sslCipher: undefined,
  sslHash: undefined,
  peerCertSubject: undefined,
  peerCertIssuer: undefined,
  peerCertValidity: undefined,
});

/** What a TLS socket says about itself, read at accept (a destroyed socket forgets it). */
export interface TlsFacts {
  readonly protocol: string | null;
  readonly standardName: string | undefined;
  readonly peerCert: Buffer | undefined;
}

export function tlsFacts(socket: Transport): TlsFacts | undefined {
  if (socket.encrypted !== true) return undefined;
  return {
    protocol: socket.getProtocol?.() ?? null,
    standardName: socket.getCipher?.()?.standardName,
    peerCert: socket.getPeerX509Certificate?.()?.raw,
  };
}

export function tlsDetails(facts: TlsFacts): TlsDetails {
  const suite = facts.standardName === undefined ? undefined : suiteParts(facts.standardName);
  const cert = facts.peerCert;
  return Object.freeze({
    ssl: true,
    sslProtocol: facts.protocol?.toLowerCase(),
    sslKeyExchange: suite?.keyExchange,
    sslCipher: suite?.cipher,
    sslHash: suite?.hash,
    peerCertSubject: cert === undefined ? undefined : peerCertSubject(cert),
    peerCertIssuer: cert === undefined ? undefined : peerCertIssuer(cert),
    peerCertValidity: cert === undefined ? undefined : peerCertValidity(cert),
  });
}

export interface SuiteParts {
  readonly keyExchange: string;
  readonly cipher: string;
  readonly hash: string;
}

const AEAD = /_(GCM|CCM|CCM_8|POLY1305)$/;

/**
 * An IANA suite name split as Erlang's ssl:connection_information/1 splits it (its
 * selected_cipher_suite map: key_exchange, cipher, mac): TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 is
 * ecdhe_ecdsa, aes_256_cbc, sha384; TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 is ecdhe_rsa, aes_128_gcm,
 * aead; TLS 1.3's TLS_AES_256_GCM_SHA384 is any, aes_256_gcm, aead.
 */
export function suiteParts(standardName: string): SuiteParts | undefined {
  // The MAC suffix is absent from some AEAD names (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8).
  const tls12 = /^TLS_(.+)_WITH_(.+?)(?:_(SHA\d*|MD5))?$/.exec(standardName);
  if (tls12 !== null) {
    const cipher = tls12[2]!;
    const mac = AEAD.test(cipher) ? 'aead' : tls12[3]?.toLowerCase();
    return mac === undefined ? undefined : { keyExchange: tls12[1]!.toLowerCase(), cipher: cipher.toLowerCase(), hash: mac };
  }
  const tls13 = /^TLS_(.+)_SHA\d+$/.exec(standardName);
  if (tls13 !== null) return { keyExchange: 'any', cipher: tls13[1]!.toLowerCase(), hash: 'aead' };
  return undefined;
}
