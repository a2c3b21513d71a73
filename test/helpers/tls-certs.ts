import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PKI made with the openssl command at test time, in a temporary directory (nothing is
 * committed): a CA, server certificates for 127.0.0.1 and localhost, and client certificates with
 * any subject. EC P-256 keys, so each certificate takes milliseconds.
 */

export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

export interface IssueOptions {
  /** openssl -subj form, in encoded order: `/C=US/O=Acme/CN=bob` (RFC 4514 writes it CN=bob,O=Acme,C=US). */
  readonly subject: string;
  /** Write the files under this name (default: derived from a counter). */
  readonly name?: string;
  /** `+` in the subject joins attributes into one RDN (openssl -multivalue-rdn). */
  readonly multivalue?: boolean;
  /** A subjectAltName extension in openssl's form, in order: `DNS:a.example,email:b@example.com,IP:10.0.0.1`. */
  readonly san?: string;
}

export interface TestPki {
  readonly dir: string;
  /** The CA certificate (PEM file). */
  readonly ca: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA. */
  readonly server: CertFiles;
  /** Issues a server certificate for 127.0.0.1/localhost with a fresh serial (to tell reloads apart). */
  issueServer(name?: string): CertFiles;
  /** Issues a client certificate signed by the CA. */
  issueClient(options: IssueOptions): CertFiles;
  /** A certificate with its own self-signed CA, which the test CA does not know. */
  issueStranger(subject: string): CertFiles;
  /** A copy of `key` encrypted with `passphrase` (AES-256-CBC): PKCS#8 `ENCRYPTED PRIVATE KEY` or the traditional `Proc-Type: 4,ENCRYPTED` form. */
  encryptKey(key: string, passphrase: string, form?: 'pkcs8' | 'traditional', name?: string): string;
  read(path: string): Buffer;
  remove(): void;
}

/** Whether the openssl command can be run here (CI installs it; see .ci/run). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], ...(env === undefined ? {} : { env: { ...process.env, ...env } }) });
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'warren-pki-'));
  let n = 0;
  openssl(['req', '-x509', ...KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/O=Warren Tests/CN=Warren Test CA'], dir);

  const sign = (name: string, req: readonly string[], ext: string, days: number, ca = 'ca'): CertFiles => {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.pem`);
    const extFile = join(dir, `${name}.ext`);
    writeFileSync(extFile, ext);
    openssl(['req', ...KEY, '-keyout', key, '-out', `${name}.csr`, ...req], dir);
    const serial = `0x${randomBytes(8).toString('hex')}`;
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-set_serial', serial, '-days', String(days), '-extfile', extFile, '-out', cert], dir);
    return { cert, key };
  };

  const issueServer = (name = `server-${++n}`): CertFiles =>
    sign(name, ['-subj', '/CN=localhost'], 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', 2);

  return {
    dir,
    ca: join(dir, 'ca.pem'),
    server: issueServer('server'),
    issueServer,
    issueClient: (o) =>
      sign(
        o.name ?? `client-${++n}`,
        ['-utf8', ...(o.multivalue === true ? ['-multivalue-rdn'] : []), '-subj', o.subject],
        `extendedKeyUsage=clientAuth\n${o.san === undefined ? '' : `subjectAltName=${o.san}\n`}`,
        2,
      ),
    issueStranger: (subject) => {
      const name = `stranger-${++n}`;
      openssl(['req', '-x509', ...KEY, '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '2', '-subj', '/CN=Stranger CA'], dir);
      return sign(name, ['-subj', subject], 'extendedKeyUsage=clientAuth\n', 2, `${name}-ca`);
    },
    encryptKey: (key, passphrase, form = 'pkcs8', name = `encrypted-${++n}`) => {
      const out = join(dir, `${name}.key`);
      const env = { WARREN_TEST_PASSPHRASE: passphrase };
      if (form === 'pkcs8') openssl(['pkcs8', '-topk8', '-in', key, '-out', out, '-v2', 'aes-256-cbc', '-passout', 'env:WARREN_TEST_PASSPHRASE'], dir, env);
      else openssl(['ec', '-in', key, '-out', out, '-aes256', '-passout', 'env:WARREN_TEST_PASSPHRASE'], dir, env);
      return out;
    },
    read: (path) => readFileSync(path),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
