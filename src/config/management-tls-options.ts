import { resolve as resolvePath } from 'node:path';
import { parseInteger } from './parsers.js';

/**
 * HTTPS for the management API, RabbitMQ's management.ssl.* (port, certfile, keyfile, password,
 * cacertfile). Off unless managementTlsPort is set. The certificate, key, CA and passphrase default
 * to the amqps ones (tlsCert, tlsKey, tlsCa, tlsKeyPassphrase), so one certificate serves both; give
 * the management ones to serve another. The TLS version and cipher options are the amqps ones
 * (tlsMinVersion, tlsCiphers, tlsHonorCipherOrder). Client certificates are not asked for.
 */
export interface ManagementTlsConfig {
  readonly managementTlsPort: number | null;
  readonly managementTlsCert: string | null;
  readonly managementTlsKey: string | null;
  /** Never logged nor echoed in an error. */
  readonly managementTlsKeyPassphrase: string | null;
  readonly managementTlsCa: string | null;
}

const path = { type: 'string', minLength: 1, nullable: true } as const;
const text = (t: string): string => t;

export const MANAGEMENT_TLS_OPTIONS = [
  {
    key: 'managementTlsPort',
    schema: { type: 'integer', minimum: 0, maximum: 65535, nullable: true },
    default: null,
    env: 'WARREN_MANAGEMENT_TLS_PORT',
    flag: '--management-tls-port',
    arg: 'PORT',
    description:
      'TCP port for the management API over HTTPS (RabbitMQ management.ssl.port; 15671 is the usual one), on the --bind ' +
      'addresses, beside the plain --management-port; 0 picks a free port. Off unless set. Serves the amqps certificate ' +
      '(--tls-cert, --tls-key) unless --management-tls-cert and --management-tls-key name other files.',
    parse: parseInteger,
  },
  {
    key: 'managementTlsCert',
    schema: path,
    default: null,
    env: 'WARREN_MANAGEMENT_TLS_CERT',
    flag: '--management-tls-cert',
    arg: 'FILE',
    description: "PEM file with the HTTPS listener's certificate and intermediate CAs (management.ssl.certfile); default: --tls-cert.",
    parse: text,
  },
  {
    key: 'managementTlsKey',
    schema: path,
    default: null,
    env: 'WARREN_MANAGEMENT_TLS_KEY',
    flag: '--management-tls-key',
    arg: 'FILE',
    description: 'PEM file with its private key (management.ssl.keyfile); default: --tls-key.',
    parse: text,
  },
  {
    key: 'managementTlsKeyPassphrase',
    schema: { type: 'string', nullable: true },
    default: null,
    env: 'WARREN_MANAGEMENT_TLS_KEY_PASSPHRASE',
    flag: '--management-tls-key-passphrase',
    arg: 'TEXT',
    description:
      'Passphrase of an encrypted --management-tls-key (management.ssl.password); default: --tls-key-passphrase when the key is ' +
      'the amqps one. Never logged.',
    parse: text,
  },
  {
    key: 'managementTlsCa',
    schema: path,
    default: null,
    env: 'WARREN_MANAGEMENT_TLS_CA',
    flag: '--management-tls-ca',
    arg: 'FILE',
    description:
      'PEM file with CA certificates sent with the certificate chain and checked by the certificate-expiration health check ' +
      '(management.ssl.cacertfile); default: --tls-ca.',
    parse: text,
  },
] as const;

/** The files and passphrase the HTTPS listener serves: its own, else the amqps ones. */
export interface ManagementTlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string | null;
  readonly keyPassphrase: string | null;
}

interface Fallback {
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  readonly tlsCa: string | null;
  readonly tlsKeyPassphrase: string | null;
  readonly managementPort: number | false;
}

export function managementTlsFiles(c: ManagementTlsConfig & Fallback): ManagementTlsFiles | undefined {
  if (c.managementTlsPort === null) return undefined;
  const cert = c.managementTlsCert ?? c.tlsCert;
  const key = c.managementTlsKey ?? c.tlsKey;
  if (cert === null || key === null) return undefined;
  // The amqps passphrase belongs to the amqps key: it is not tried on a key of the management's own.
  const keyPassphrase = c.managementTlsKeyPassphrase ?? (c.managementTlsKey === null ? c.tlsKeyPassphrase : null);
  return { cert, key, ca: c.managementTlsCa ?? c.tlsCa, keyPassphrase };
}

/** Options that only make sense together, checked after the schema: each failure names the fix. */
export function checkManagementTls(c: ManagementTlsConfig & Fallback): string | undefined {
  if (c.managementTlsPort === null) {
    const stray = (['managementTlsCert', 'managementTlsKey', 'managementTlsKeyPassphrase', 'managementTlsCa'] as const).filter((k) => c[k] !== null);
    if (stray.length > 0) return `${stray.join(', ')} set but managementTlsPort (--management-tls-port) is not: set it (15671 is the usual) to serve the management API over HTTPS`;
    return undefined;
  }
  if ((c.managementTlsCert === null) !== (c.managementTlsKey === null)) {
    return 'managementTlsCert (--management-tls-cert) and managementTlsKey (--management-tls-key) go together: give both, or neither to serve the amqps certificate';
  }
  if (managementTlsFiles(c) === undefined) {
    return 'managementTlsPort (--management-tls-port) is set: give managementTlsCert and managementTlsKey (--management-tls-cert, --management-tls-key), or the amqps tlsCert and tlsKey';
  }
  if (c.managementTlsPort !== 0 && c.managementTlsPort === c.managementPort) {
    return `managementTlsPort and managementPort are both ${c.managementPort}: the HTTPS and HTTP listeners need different ports`;
  }
  return undefined;
}

/** The file options made absolute against `cwd`, as the amqps ones are. */
export function resolveManagementTlsPaths(values: Record<string, unknown>, cwd: string): void {
  for (const key of ['managementTlsCert', 'managementTlsKey', 'managementTlsCa'] as const) {
    const v = values[key];
    if (typeof v === 'string' && v !== '') values[key] = resolvePath(cwd, v);
  }
}
