import type { Config } from '../config/schema.js';
import { peerCertSanName } from './cert-san.js';
import { peerCertCommonName, peerCertSubject } from './cert-subject.js';
import type { Transport } from './transport.js';

/**
 * SASL EXTERNAL over TLS, as RabbitMQ's rabbitmq_auth_mechanism_ssl: the client certificate names
 * the user (rabbit_ssl:peer_cert_auth_name/1) and no password is checked. Offered when enabled
 * (tlsSaslExternal, which needs tlsVerifyPeer) on every TLS connection, with or without a client
 * certificate, as rabbit_auth_mechanism_ssl:should_offer/1 does: a client without one is then told
 * ACCESS_REFUSED (the reason in the log) rather than failing on its own with a vaguer message
 * (amqplib: "SASL mechanism EXTERNAL is not provided by the server"). A socket whose certificate did
 * not verify never gets this far: the listener refuses it after the TLS handshake.
 */

export const EXTERNAL = 'EXTERNAL';

/** The mechanisms connection.start offers on this socket. */
export function offeredMechanisms(base: readonly string[], config: Config, socket: Transport): readonly string[] {
  return externalAvailable(config, socket) ? [...base, EXTERNAL] : base;
}

function externalAvailable(config: Config, socket: Transport): boolean {
  return config.tlsSaslExternal && socket.encrypted === true;
}

/** The user name the certificate gives, or why there is none (RabbitMQ's texts, for the log). */
export function externalUsername(config: Config, socket: Transport): { readonly username: string } | { readonly refused: string } {
  if (socket.encrypted !== true) return { refused: 'not SSL connection' };
  const cert = socket.getPeerX509Certificate?.();
  if (cert === undefined) return { refused: 'connection peer presented no TLS (x.509) certificate' };
  if (!config.tlsSaslExternal || socket.authorized !== true) return { refused: 'TLS configuration is unsafe' };
  const name = certificateName(config, cert.raw);
  return name === undefined ? { refused: 'no name found' } : { username: name };
}

function certificateName(config: Config, der: Buffer): string | undefined {
  switch (config.tlsCertLoginFrom) {
    case 'common_name':
      return peerCertCommonName(der);
    case 'subject_alternative_name':
      return peerCertSanName(der, config.tlsCertLoginSanType, config.tlsCertLoginSanIndex);
    default:
      return peerCertSubject(der);
  }
}
