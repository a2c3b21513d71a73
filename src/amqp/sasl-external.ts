import type { Config } from '../config/schema.js';
import { peerCertCommonName, peerCertSubject } from './cert-subject.js';
import type { Transport } from './transport.js';

/**
 * SASL EXTERNAL over TLS, as RabbitMQ's rabbitmq_auth_mechanism_ssl: the client certificate names
 * the user (rabbit_ssl:peer_cert_auth_name/1) and no password is checked. Offered only when enabled
 * (tlsSaslExternal) and only on a TLS connection whose client certificate verified; a client that
 * asks for it anyway is refused with RabbitMQ's reasons, in the log.
 */

export const EXTERNAL = 'EXTERNAL';

/** The mechanisms connection.start offers on this socket. */
export function offeredMechanisms(base: readonly string[], config: Config, socket: Transport): readonly string[] {
  return externalAvailable(config, socket) ? [...base, EXTERNAL] : base;
}

function externalAvailable(config: Config, socket: Transport): boolean {
  return config.tlsSaslExternal && socket.encrypted === true && socket.authorized === true && socket.getPeerX509Certificate?.() !== undefined;
}

/** The user name the certificate gives, or why there is none (RabbitMQ's texts, for the log). */
export function externalUsername(config: Config, socket: Transport): { readonly username: string } | { readonly refused: string } {
  if (socket.encrypted !== true) return { refused: 'not SSL connection' };
  const cert = socket.getPeerX509Certificate?.();
  if (cert === undefined) return { refused: 'connection peer presented no TLS (x.509) certificate' };
  if (!config.tlsSaslExternal || socket.authorized !== true) return { refused: 'TLS configuration is unsafe' };
  const name = config.tlsCertLoginFrom === 'common_name' ? peerCertCommonName(cert.raw) : peerCertSubject(cert.raw);
  return name === undefined ? { refused: 'no name found' } : { username: name };
}
