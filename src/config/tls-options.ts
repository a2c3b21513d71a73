import { resolve as resolvePath } from 'node:path';
import { getCiphers } from 'node:tls';
import { parseBoolean, parseInteger, ParseError, textThrough } from './parsers.js';

/**
 * The amqps listener's options, named after RabbitMQ's listeners.ssl.default and ssl_options.*
 * (certfile, keyfile, password, cacertfile, verify, fail_if_no_peer_cert, versions, ciphers,
 * honor_cipher_order) and ssl_cert_login_from, ssl_cert_login_san_type, ssl_cert_login_san_index.
 * Off unless tlsPort is set. The files are read when the broker starts (a missing or unreadable one
 * is a start-up error there) and again on broker.reloadTls() or when they change.
 */

export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];
export const CERT_LOGIN_FROM = ['distinguished_name', 'common_name', 'subject_alternative_name'] as const;
export type CertLoginFrom = (typeof CERT_LOGIN_FROM)[number];
/** ssl_cert_login_san_type's values (the same list as amqp/cert-san.ts, which the config layer may not import). */
export const CERT_LOGIN_SAN_TYPES = ['dns', 'ip', 'email', 'uri', 'other_name'] as const;
export type CertLoginSanType = (typeof CERT_LOGIN_SAN_TYPES)[number];

/** The TLS part of the resolved Config. */
export interface TlsConfig {
  readonly tlsPort: number | null;
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  /** Never logged nor echoed in an error. */
  readonly tlsKeyPassphrase: string | null;
  readonly tlsCa: string | null;
  readonly tlsVerifyPeer: boolean;
  readonly tlsFailIfNoPeerCert: boolean;
  readonly tlsMinVersion: TlsVersion;
  /** OpenSSL suite names in the server's order of preference; null: Node's default list. */
  readonly tlsCiphers: readonly string[] | null;
  readonly tlsHonorCipherOrder: boolean;
  readonly tlsSaslExternal: boolean;
  readonly tlsCertLoginFrom: CertLoginFrom;
  readonly tlsCertLoginSanType: CertLoginSanType;
  readonly tlsCertLoginSanIndex: number;
}

const path = { type: 'string', minLength: 1, nullable: true } as const;

/** `tlsv1.3` (RabbitMQ's spelling) and `TLSv1.3` alike. */
function parseVersion(text: string): TlsVersion {
  const found = TLS_VERSIONS.find((v) => v.toLowerCase() === text.trim().toLowerCase());
  if (found === undefined) throw new ParseError(`must be one of ${TLS_VERSIONS.join(', ')} (got ${JSON.stringify(text)})`);
  return found;
}

function oneOf<T extends string>(values: readonly T[]): (text: string) => T {
  return (text) => {
    const t = text.trim();
    if (!(values as readonly string[]).includes(t)) throw new ParseError(`must be one of ${values.join(', ')} (got ${JSON.stringify(text)})`);
    return t as T;
  };
}

/** RabbitMQ also accepts subject_alt_name for subject_alternative_name. */
function parseLoginFrom(text: string): CertLoginFrom {
  return oneOf(CERT_LOGIN_FROM)(text.trim() === 'subject_alt_name' ? 'subject_alternative_name' : text);
}

/** Every name OpenSSL knows, upper-case as OpenSSL writes suite names (Node lists them lower-case). */
function knownSuites(): Set<string> {
  return new Set(getCiphers().map((c) => c.toUpperCase()));
}

/**
 * `ECDHE-ECDSA-AES256-GCM-SHA384:TLS_AES_256_GCM_SHA384`, separated by ':' (OpenSSL) or ',': suite
 * names only, as RabbitMQ's ssl_options.ciphers takes them; OpenSSL's expressions (HIGH, !aNULL)
 * are refused, so a typo cannot quietly drop a suite.
 */
function parseCiphers(text: string): readonly string[] {
  const names = text.split(/[:,]/).map((n) => n.trim());
  if (names.some((n) => n === '')) throw new ParseError(`empty item in cipher list: ${JSON.stringify(text)}`);
  return names;
}

function checkCiphers(names: readonly string[] | null): void {
  if (names === null) return;
  const known = knownSuites();
  const unknown = names.filter((n) => !known.has(n.toUpperCase()));
  if (unknown.length > 0) {
    throw new ParseError(
      `unknown cipher suite ${unknown.map((n) => JSON.stringify(n)).join(', ')}: OpenSSL suite names, such as ECDHE-ECDSA-AES256-GCM-SHA384 (TLS 1.2) or TLS_AES_256_GCM_SHA384 (TLS 1.3); \`openssl ciphers -s -v\` lists them`,
    );
  }
}

/** Whether a suite name is a TLS 1.3 one (OpenSSL keeps them apart: SSL_CTX_set_ciphersuites). */
export function isTls13Suite(name: string): boolean {
  return name.toUpperCase().startsWith('TLS_');
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
    description: "PEM file with the server certificate's private key (ssl_options.keyfile); if it is encrypted, see --tls-key-passphrase.",
    parse: (text: string) => text,
  },
  {
    key: 'tlsKeyPassphrase',
    schema: { type: 'string', nullable: true },
    default: null,
    env: 'WARREN_TLS_KEY_PASSPHRASE',
    flag: '--tls-key-passphrase',
    arg: 'TEXT',
    description:
      'Passphrase of an encrypted --tls-key (PKCS#8 `ENCRYPTED PRIVATE KEY` or traditional `Proc-Type: 4,ENCRYPTED` PEM; ' +
      'ssl_options.password). Never logged; prefer the env var or the config file to the flag, which other users can see in ps.',
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
    key: 'tlsCiphers',
    schema: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, nullable: true },
    default: null,
    env: 'WARREN_TLS_CIPHERS',
    flag: '--tls-ciphers',
    arg: 'LIST',
    description:
      'The cipher suites offered, in order of preference (ssl_options.ciphers), OpenSSL names separated by : or , (a JSON ' +
      'array in the config file): TLS 1.2 ones such as ECDHE-ECDSA-AES256-GCM-SHA384 and TLS 1.3 ones (TLS_AES_256_GCM_SHA384). ' +
      'A list without a TLS_ suite turns TLS 1.3 off. Unset: Node\'s default list.',
    parse: parseCiphers,
    fromValue: textThrough(parseCiphers),
    refine: checkCiphers,
  },
  {
    key: 'tlsHonorCipherOrder',
    schema: { type: 'boolean' },
    default: false,
    env: 'WARREN_TLS_HONOR_CIPHER_ORDER',
    flag: '--tls-honor-cipher-order',
    arg: '[BOOL]',
    description:
      "Pick the cipher suite by the server's order (--tls-ciphers, or Node's default list) rather than the client's " +
      '(ssl_options.honor_cipher_order; off by default, as in RabbitMQ).',
    parse: parseBoolean,
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
      "subject as RabbitMQ writes it (CN=bob,O=Acme,C=US), common_name, the CN alone (several CNs joined by ','), or " +
      'subject_alternative_name (also subject_alt_name): one subjectAltName entry, see --tls-cert-login-san-type and --tls-cert-login-san-index.',
    parse: parseLoginFrom,
    fromValue: textThrough(parseLoginFrom),
  },
  {
    key: 'tlsCertLoginSanType',
    schema: { type: 'string', enum: CERT_LOGIN_SAN_TYPES },
    default: 'dns',
    env: 'WARREN_TLS_CERT_LOGIN_SAN_TYPE',
    flag: '--tls-cert-login-san-type',
    arg: 'TYPE',
    description:
      'With --tls-cert-login-from subject_alternative_name: which kind of subjectAltName entry names the user ' +
      '(ssl_cert_login_san_type): dns, ip (written 10.0.0.1 or 2001:db8::1), email, uri, or other_name (its value, when a string).',
    parse: oneOf(CERT_LOGIN_SAN_TYPES),
  },
  {
    key: 'tlsCertLoginSanIndex',
    schema: { type: 'integer', minimum: 0 },
    default: 0,
    env: 'WARREN_TLS_CERT_LOGIN_SAN_INDEX',
    flag: '--tls-cert-login-san-index',
    arg: 'N',
    description:
      'Which entry of that kind, counting from 0 in the order the certificate lists them (ssl_cert_login_san_index); ' +
      'a certificate with fewer entries of that kind names no user.',
    parse: parseInteger,
  },
] as const;

/** Options that only make sense together, checked after the schema: each failure names the fix. */
export function checkTlsCombination(c: TlsConfig & { readonly port: number }): string | undefined {
  if (c.tlsPort === null) {
    const stray = (['tlsCert', 'tlsKey', 'tlsKeyPassphrase', 'tlsCa', 'tlsCiphers'] as const).filter((k) => c[k] !== null);
    if (stray.length > 0) return `${stray.join(', ')} set but tlsPort (--tls-port) is not: set it (5671 is the usual) to open the amqps listener`;
    return undefined;
  }
  if (c.tlsCert === null || c.tlsKey === null) return 'tlsPort (--tls-port) is set: tlsCert (--tls-cert) and tlsKey (--tls-key) must name the server certificate and key files';
  if (c.tlsPort !== 0 && c.tlsPort === c.port) return `tlsPort and port are both ${c.port}: the TLS and plain listeners need different ports`;
  if (c.tlsVerifyPeer && c.tlsCa === null) return 'tlsVerifyPeer (--tls-verify-peer) needs tlsCa (--tls-ca), the CA file client certificates are verified against';
  if (c.tlsCiphers !== null && c.tlsMinVersion === 'TLSv1.3' && !c.tlsCiphers.some(isTls13Suite)) {
    return 'tlsCiphers (--tls-ciphers) names no TLS 1.3 suite (TLS_...) but tlsMinVersion is TLSv1.3: no handshake could succeed';
  }
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
