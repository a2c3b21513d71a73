import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { TlsConfig, TlsVersion } from '../config/schema.js';

/**
 * The amqps listener's certificate, key and CA files, read and checked: what tls.Server's
 * setSecureContext takes, or a TlsFilesError naming the file and what is wrong with it. A
 * successful load is all or nothing, so a half-written renewal never replaces a working context.
 */

export interface TlsPaths {
  readonly cert: string;
  readonly key: string;
  readonly ca: string | null;
  readonly minVersion: TlsVersion;
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
  return { cert: config.tlsCert, key: config.tlsKey, ca: config.tlsCa, minVersion: config.tlsMinVersion };
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
  try {
    createSecureContext({ key: files.key });
  } catch (err) {
    throw new TlsFilesError(`tlsKey ${paths.key}: not a usable unencrypted PEM private key (${(err as Error).message})`, { cause: err });
  }
  const context: SecureContextOptions = { cert: files.cert, key: files.key, minVersion: paths.minVersion, ...(files.ca === undefined ? {} : { ca: files.ca }) };
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

function parseCertificate(option: string, path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsFilesError(`${option} ${path}: not a PEM certificate (${(err as Error).message})`, { cause: err });
  }
}
