import { resolve as resolvePath } from 'node:path';
import { parseBoolean, parseInteger, ParseError, textThrough } from './parsers.js';

/**
 * The amqps listener's options, named after RabbitMQ's listeners.ssl.default and ssl_options.*
 * (certfile, keyfile, cacertfile, verify, fail_if_no_peer_cert, versions) and ssl_cert_login_from.
 * Off unless tlsPort is set. The files are read when the broker starts (a missing or unreadable one
 * is a start-up error there) and again on broker.reloadTls() or when they change.
 */

export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];
export const CERT_LOGIN_FROM = ['distinguished_name', 'common_name'] as const;
export type CertLoginFrom = (typeof CERT_LOGIN_FROM)[number];

/** The TLS part of the resolved Config. */
export interface TlsConfig {
  readonly tlsPort: number | null;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly tlsCa: string | null;
  readonly tlsVerifyPeer: boolean;
  readonly tlsFailIfNoPeerCert: boolean;
  readonly tlsMinVersion: TlsVersion;
  readonly tlsSaslExternal: boolean;
  readonly tlsCertLoginFrom: CertLoginFrom;
}

const path = { type: 'string', minLength: 1, nullable: true } as const;

/** `tlsv1.3` (RabbitMQ's spelling) and `TLSv1.3` alike. */
function parseVersion(text: string): TlsVersion {
  const found = TLS_VERSIONS.find((v) => v.toLowerCase() === text.trim().toLowerCase());
  if (found === undefined) throw new ParseError(`must be one of ${TLS_VERSIONS.join(', ')} (got ${JSON.stringify(text)})`);
  return found;
}

function parseLoginFrom(text: string): CertLoginFrom {
  const t = text.trim();
  if (!(CERT_LOGIN_FROM as readonly string[]).includes(t)) throw new ParseError(`must be one of ${CERT_LOGIN_FROM.join(', ')} (got ${JSON.stringify(text)})`);
  return t as CertLoginFrom;
}

export const TLS_OPTIONS = [
  {
    key: 'tlsPort',
    schema: { type: 'integer', minimum: 0, maximum: 65535, nullable: true },
    default: null,
    env: 'WARREN_TLS_PORT',
    flag: '--tls-port',
    arg: 'PORT',
    description:
      'TCP port for AMQP over TLS (amqps; 5671 is the usual one, RabbitMQ listeners.ssl.default), on the same bind ' +
      'addresses as --port, which keeps serving plain AMQP; 0 picks a free port. Off unless set; needs --tls-cert and --tls-key.',
    parse: parseInteger,
  },
  {
    key: 'tlsCert',
    schema: path,
    default: null,
    env: 'WARREN_TLS_CERT',
    flag: '--tls-cert',
    arg: 'FILE',
    description: "PEM file with the server's certificate, optionally followed by its intermediate CAs (ssl_options.certfile).",
    parse: (text: string) => text,
  },
  {
    key: 'tlsKey',
    schema: path,
    default: null,
    env: 'WARREN_TLS_KEY',
    flag: '--tls-key',
    arg: 'FILE',
    description: "PEM file with the server certificate's private key, unencrypted (ssl_options.keyfile).",
    parse: (text: string) => text,
  },
  {
    key: 'tlsCa',
    schema: path,
    default: null,
    env: 'WARREN_TLS_CA',
    flag: '--tls-ca',
    arg: 'FILE',
    description: 'PEM file with the CA certificates client certificates are verified against (ssl_options.cacertfile); needed by --tls-verify-peer.',
    parse: (text: string) => text,
  },
  {
    key: 'tlsVerifyPeer',
    schema: { type: 'boolean' },
    default: false,
    env: 'WARREN_TLS_VERIFY_PEER',
    flag: '--tls-verify-peer',
    arg: '[BOOL]',
    description:
      'Ask each TLS client for a certificate and refuse one that does not verify against --tls-ca (ssl_options.verify = ' +
      'verify_peer); a client without a certificate is still served unless --tls-fail-if-no-peer-cert. Off: verify_none.',
    parse: parseBoolean,
  },
  {
    key: 'tlsFailIfNoPeerCert',
    schema: { type: 'boolean' },
    default: false,
    env: 'WARREN_TLS_FAIL_IF_NO_PEER_CERT',
    flag: '--tls-fail-if-no-peer-cert',
    arg: '[BOOL]',
    description: 'With --tls-verify-peer: refuse the TLS handshake of a client that sends no certificate (ssl_options.fail_if_no_peer_cert).',
    parse: parseBoolean,
  },
  {
    key: 'tlsMinVersion',
    schema: { type: 'string', enum: TLS_VERSIONS },
    default: 'TLSv1.2',
    env: 'WARREN_TLS_MIN_VERSION',
    flag: '--tls-min-version',
    arg: 'VERSION',
    description: `Oldest TLS version accepted: ${TLS_VERSIONS.join(' or ')} (ssl_options.versions; older versions are never offered).`,
    parse: parseVersion,
    fromValue: textThrough(parseVersion),
  },
  {
    key: 'tlsSaslExternal',
    schema: { type: 'boolean' },
    default: false,
    env: 'WARREN_TLS_SASL_EXTERNAL',
    flag: '--tls-sasl-external',
    arg: '[BOOL]',
    description:
      'Offer SASL EXTERNAL (RabbitMQ\'s rabbitmq_auth_mechanism_ssl) on TLS connections whose client certificate verified: ' +
      'the user named by the certificate (see --tls-cert-login-from) logs in without a password. Needs --tls-verify-peer.',
    parse: parseBoolean,
  },
  {
    key: 'tlsCertLoginFrom',
    schema: { type: 'string', enum: CERT_LOGIN_FROM },
    default: 'distinguished_name',
    env: 'WARREN_TLS_CERT_LOGIN_FROM',
    flag: '--tls-cert-login-from',
    arg: 'FIELD',
    description:
      'Which part of the client certificate names the EXTERNAL user (ssl_cert_login_from): distinguished_name, the ' +
      "subject as RabbitMQ writes it (CN=bob,O=Acme,C=US), or common_name, the CN alone (several CNs joined by ',').",
    parse: parseLoginFrom,
  },
] as const;

/** Options that only make sense together, checked after the schema: each failure names the fix. */
export function checkTlsCombination(c: TlsConfig & { readonly port: number }): string | undefined {
  if (c.tlsPort === null) {
    const stray = (['tlsCert', 'tlsKey', 'tlsCa'] as const).filter((k) => c[k] !== null);
    if (stray.length > 0) return `${stray.join(', ')} set but tlsPort (--tls-port) is not: set it (5671 is the usual) to open the amqps listener`;
    return undefined;
  }
  if (c.tlsCert === null || c.tlsKey === null) return 'tlsPort (--tls-port) is set: tlsCert (--tls-cert) and tlsKey (--tls-key) must name the server certificate and key files';
  if (c.tlsPort !== 0 && c.tlsPort === c.port) return `tlsPort and port are both ${c.port}: the TLS and plain listeners need different ports`;
  if (c.tlsVerifyPeer && c.tlsCa === null) return 'tlsVerifyPeer (--tls-verify-peer) needs tlsCa (--tls-ca), the CA file client certificates are verified against';
  if (c.tlsFailIfNoPeerCert && !c.tlsVerifyPeer) return 'tlsFailIfNoPeerCert (--tls-fail-if-no-peer-cert) needs tlsVerifyPeer (--tls-verify-peer)';
  if (c.tlsSaslExternal && !c.tlsVerifyPeer) {
    return 'tlsSaslExternal (--tls-sasl-external) needs tlsVerifyPeer (--tls-verify-peer): an unverified certificate must never name a user';
  }
  return undefined;
}

/** The file options made absolute against `cwd`, as dataDir is. */
export function resolveTlsPaths(values: Record<string, unknown>, cwd: string): void {
  for (const key of ['tlsCert', 'tlsKey', 'tlsCa'] as const) {
    const v = values[key];
    if (typeof v === 'string' && v !== '') values[key] = resolvePath(cwd, v);
  }
}
