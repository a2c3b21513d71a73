import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { TlsConfig, TlsVersion } from '../config/schema.js';
import { isTls13Suite } from '../config/tls-options.js';

/**
 * The amqps listener's certificate, key and CA files, read and checked: what tls.Server's
 * setSecureContext takes, or a TlsFilesError naming the file and what is wrong with it. A
 * successful load is all or nothing, so a half-written renewal never replaces a working context.
 */

/** The files, and the options the context is built with from them. */
export interface TlsPaths {
  readonly cert: string;
  readonly key: string;
  readonly ca: string | null;
  /** Never logged nor put in an error message. */
  readonly keyPassphrase: string | null;
  readonly minVersion: TlsVersion;
  readonly ciphers: readonly string[] | null;
  readonly honorCipherOrder: boolean;
}

/** What the log says about the certificate being served. */
export interface ServedCertificate {
  readonly subject: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  readonly validTo: string;
}

export interface LoadedTls {
  readonly context: SecureContextOptions;
  readonly certificate: ServedCertificate;
}

/** A TLS file is missing, unreadable or not what its option says; the message names option and path. */
export class TlsFilesError extends Error {
  override readonly name = 'TlsFilesError';
}

export function tlsPaths(config: TlsConfig): TlsPaths | undefined {
  if (config.tlsPort === null || config.tlsCert === null || config.tlsKey === null) return undefined;
  return {
    cert: config.tlsCert,
    key: config.tlsKey,
    ca: config.tlsCa,
    keyPassphrase: config.tlsKeyPassphrase,
    minVersion: config.tlsMinVersion,
    ciphers: config.tlsCiphers,
    honorCipherOrder: config.tlsHonorCipherOrder,
  };
}

type Contents = { readonly cert: Buffer; readonly key: Buffer; readonly ca: Buffer | undefined };

function unreadable(option: string, path: string, err: unknown): TlsFilesError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
  return new TlsFilesError(`${option} ${path}: cannot read: ${reason}`, { cause: err });
}

/** Reads the files synchronously (at start-up, before the broker listens). */
export function loadTlsSync(paths: TlsPaths): LoadedTls {
  const read = (option: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw unreadable(option, path, err);
    }
  };
  return check(paths, { cert: read('tlsCert', paths.cert), key: read('tlsKey', paths.key), ca: paths.ca === null ? undefined : read('tlsCa', paths.ca) });
}

/** Reads the files without blocking the event loop (a reload while serving). */
export async function loadTls(paths: TlsPaths): Promise<LoadedTls> {
  const read = (option: string, path: string): Promise<Buffer> => readFile(path).catch((err: unknown) => Promise.reject(unreadable(option, path, err)));
  const [cert, key, ca] = await Promise.all([read('tlsCert', paths.cert), read('tlsKey', paths.key), paths.ca === null ? undefined : read('tlsCa', paths.ca)]);
  return check(paths, { cert, key, ca });
}

function check(paths: TlsPaths, files: Contents): LoadedTls {
  const certificate = parseCertificate('tlsCert', paths.cert, files.cert);
  if (files.ca !== undefined) parseCertificate('tlsCa', paths.ca as string, files.ca); // createSecureContext ignores a CA file without one
  checkKey(paths, files.key);
  const context: SecureContextOptions = {
    cert: files.cert,
    key: files.key,
    ...(paths.keyPassphrase === null ? {} : { passphrase: paths.keyPassphrase }),
    minVersion: paths.minVersion,
    ...cipherOptions(paths),
    honorCipherOrder: paths.honorCipherOrder,
    ...(files.ca === undefined ? {} : { ca: files.ca }),
  };
  try {
    createSecureContext(context);
  } catch (err) {
    const mismatch = (err as NodeJS.ErrnoException).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH';
    const detail = mismatch ? 'is not the key of the certificate in' : `cannot be used with (${(err as Error).message})`;
    throw new TlsFilesError(`tlsKey ${paths.key} ${detail} tlsCert ${paths.cert}`, { cause: err });
  }
  return {
    context,
    certificate: { subject: certificate.subject.replace(/\n/g, ', '), serialNumber: certificate.serialNumber, fingerprint256: certificate.fingerprint256, validTo: certificate.validTo },
  };
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY` or a traditional PEM with `Proc-Type: 4,ENCRYPTED`. */
function isEncrypted(pem: Buffer): boolean {
  const text = pem.toString('latin1');
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /^Proc-Type:\s*4,ENCRYPTED/m.test(text);
}

/** The key alone first, so that the message says what is wrong with it; never with the passphrase in it. */
function checkKey(paths: TlsPaths, key: Buffer): void {
  try {
    createSecureContext({ key, ...(paths.keyPassphrase === null ? {} : { passphrase: paths.keyPassphrase }) });
  } catch (err) {
    const encrypted = isEncrypted(key);
    const detail = !encrypted
      ? `not a usable PEM private key (${(err as Error).message})`
      : paths.keyPassphrase === null
        ? 'the key is encrypted: set tlsKeyPassphrase (--tls-key-passphrase, WARREN_TLS_KEY_PASSPHRASE)'
        : 'cannot be decrypted with tlsKeyPassphrase (wrong passphrase?)';
    throw new TlsFilesError(`tlsKey ${paths.key}: ${detail}`, { cause: err });
  }
}

/**
 * Node takes one `ciphers` string and hands the TLS_ names to OpenSSL's TLS 1.3 list, the others
 * to the TLS 1.2 one. A list without a TLS 1.3 suite would leave TLS 1.3 on with OpenSSL's default
 * suites, so TLS 1.3 is turned off instead: only the listed suites are ever negotiated. (RabbitMQ,
 * given such a list, fails TLS 1.3 clients with an insufficient_security alert; seen on 3.10.)
 */
function cipherOptions(paths: TlsPaths): Pick<SecureContextOptions, 'ciphers' | 'maxVersion'> {
  if (paths.ciphers === null) return {};
  const ciphers = paths.ciphers.map((c) => c.toUpperCase()).join(':');
  return paths.ciphers.some(isTls13Suite) ? { ciphers } : { ciphers, maxVersion: 'TLSv1.2' };
}

function parseCertificate(option: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsFilesError(`${option} ${path}: not a PEM certificate (${(err as Error).message})`, { cause: err });
  }
}
