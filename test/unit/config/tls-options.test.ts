import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../../../src/config/load.js';

/** loadConfig with a fake file system holding /srv/warren.json when `file` is given. */
function load(argv: string[], env: Record<string, string> = {}, file?: unknown): Config {
  const readFile = (path: string): string => {
    if (file === undefined || path !== '/srv/warren.json') throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return JSON.stringify(file);
  };
  const result = loadConfig({ argv: file === undefined ? argv : [...argv, '--config', 'warren.json'], env, cwd: '/srv', readFile });
  if (result.help || result.version === true) throw new Error('unexpected help or version');
  return result.config;
}

function failure(argv: string[], env: Record<string, string> = {}, file?: unknown): string {
  try {
    load(argv, env, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const TLS = ['--tls-port', '5671', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'];

describe('TLS options beyond the files', () => {
  it('reads the cipher list from a flag (: or , separated), the env var and the file (array or string)', () => {
    const want = ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_AES_256_GCM_SHA384'];
    expect(load([...TLS, '--tls-ciphers', 'ECDHE-ECDSA-AES256-GCM-SHA384:TLS_AES_256_GCM_SHA384']).tlsCiphers).toEqual(want);
    expect(load(TLS, { WARREN_TLS_CIPHERS: 'ECDHE-ECDSA-AES256-GCM-SHA384, TLS_AES_256_GCM_SHA384' }).tlsCiphers).toEqual(want);
    expect(load(TLS, {}, { tlsCiphers: want }).tlsCiphers).toEqual(want);
    expect(load(TLS, {}, { tlsCiphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:TLS_AES_256_GCM_SHA384' }).tlsCiphers).toEqual(want);
  });

  it('refuses unknown suite names and OpenSSL expressions, naming them', () => {
    expect(failure([...TLS, '--tls-ciphers', 'HIGH:!aNULL'])).toMatch(/^--tls-ciphers: unknown cipher suite "HIGH", "!aNULL": OpenSSL suite names/);
    expect(failure([...TLS, '--tls-ciphers', 'TLS_AES_256_GCM_SHA384:'])).toContain('empty item in cipher list');
  });

  it('takes subject_alt_name for subject_alternative_name, and the SAN type and index', () => {
    const c = load([...TLS, '--tls-cert-login-from', 'subject_alt_name', '--tls-cert-login-san-type', 'uri', '--tls-cert-login-san-index', '2']);
    expect([c.tlsCertLoginFrom, c.tlsCertLoginSanType, c.tlsCertLoginSanIndex]).toEqual(['subject_alternative_name', 'uri', 2]);
    expect(load(TLS, {}, { tlsCertLoginFrom: 'subject_alt_name' }).tlsCertLoginFrom).toBe('subject_alternative_name');
    expect(failure([...TLS, '--tls-cert-login-san-type', 'dirname'])).toContain('must be one of dns, ip, email, uri, other_name');
    expect(failure([...TLS, '--tls-cert-login-san-index', '-1'])).toContain('--tls-cert-login-san-index');
  });

  it('reads the passphrase from each source and never echoes it in an error', () => {
    expect(load([...TLS, '--tls-key-passphrase', 'p:w, d'], {}).tlsKeyPassphrase).toBe('p:w, d');
    expect(load(TLS, { WARREN_TLS_KEY_PASSPHRASE: 'from-env' }).tlsKeyPassphrase).toBe('from-env');
    const message = failure(['--tls-key-passphrase', 'hunter2']);
    expect(message).toContain('tlsKeyPassphrase');
    expect(message).not.toContain('hunter2');
  });
});
