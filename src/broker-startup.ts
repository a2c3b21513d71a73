import { isIP } from 'node:net';
import type { Config } from './config/load.js';
import { StartupError } from './errors/startup.js';
import type { Logger } from './util/logger.js';
import { packageVersion } from './util/version.js';

/**
 * What the broker says about itself at start: the one line an operator reads first, the warning
 * for a configuration nobody can use remotely, and listener failures in plain words.
 */

/** `127.0.0.1:5672`, `[::1]:5672`. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Fields and message of the start-up line. Names users, never their passwords. */
export function startupLine(
  config: Config,
  version: string,
  listeners: readonly string[],
): { fields: Record<string, unknown>; message: string } {
  const users = config.users.map((u) => u.name);
  const fields = {
    version,
    listeners,
    dataDir: config.dataDir,
    fsync: config.fsync,
    userCount: users.length,
    users,
    vhosts: config.vhosts,
  };
  const userText = users.length === 0 ? 'no users' : `${users.length} user${users.length === 1 ? '' : 's'} (${users.join(', ')})`;
  const message =
    `Warren ${version} listening on ${listeners.join(', ')}; data directory ${config.dataDir} (fsync ${config.fsync}); ` +
    `${userText}; vhosts ${config.vhosts.join(', ')}`;
  return { fields, message };
}

function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1' || address === 'localhost';
}

/** Set when the broker listens beyond loopback but every user may log in from loopback only. */
export function remoteLoginWarning(config: Config): string | undefined {
  const remote = config.bind.filter((address) => !isLoopback(address));
  if (remote.length === 0 || config.users.some((u) => !u.loopbackOnly)) return undefined;
  const names = config.users.map((u) => u.name).join(', ');
  return (
    `listening on ${remote.join(', ')}, but every user (${names}) may log in from loopback only: nobody can log in ` +
    'from another machine. Add a user with --user NAME:PASSWORD (or WARREN_USERS).'
  );
}

/** A listener that could not open, as one plain line with the address; other errors unchanged. */
export function listenerError(err: unknown, port: number): unknown {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e.address === undefined ? `port ${port}` : hostPort(e.address, e.port ?? port);
  const reason =
    e.code === 'EADDRINUSE'
      ? 'address already in use (is another broker running? see --port)'
      : e.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges; see --port)'
        : e.code === 'EADDRNOTAVAIL'
          ? 'no such address on this machine (see --bind)'
          : e.code === 'EAFNOSUPPORT'
            ? 'this machine has no IPv6 (see --bind)'
            : undefined;
  if (reason === undefined) return err;
  return new StartupError('listener', `cannot listen on ${where}: ${reason}`, { cause: err });
}

/** The AMQP URL a client can connect to: the first --bind address (loopback for a wildcard), with guest's credentials when guest/guest exists. */
export function brokerUrl(config: Config, port: number): string {
  const first = config.bind[0] ?? '127.0.0.1';
  const host = first === '0.0.0.0' ? '127.0.0.1' : first === '::' ? '[::1]' : first.includes(':') ? `[${first}]` : first;
  const guest = config.users.find((u) => u.name === 'guest' && u.password === 'guest');
  return `amqp://${guest !== undefined ? 'guest:guest@' : ''}${host}:${port}`;
}

/** The start-up line (the vhosts there are, not only configured ones), the remote-login warning and the TLS certificate in use. */
export function logStartup(
  logger: Logger,
  config: Config,
  s: {
    readonly url: string;
    readonly port: number;
    readonly vhosts: readonly string[];
    readonly addresses: readonly { readonly address: string; readonly port: number }[];
    readonly tlsAddresses: readonly { readonly address: string; readonly port: number }[];
    readonly certificate: { readonly subject: string; readonly serialNumber: string; readonly validTo: string } | undefined;
  },
): void {
  const listeners = [...s.addresses.map((a) => hostPort(a.address, a.port)), ...s.tlsAddresses.map((a) => `${hostPort(a.address, a.port)} (amqps)`)];
  const line = startupLine({ ...config, vhosts: s.vhosts }, packageVersion(), listeners);
  logger.info({ event: 'broker.listening', url: s.url.replace(/\/\/[^@]*@/, '//'), bind: config.bind, port: s.port, ...line.fields }, line.message);
  const warning = remoteLoginWarning(config);
  if (warning !== undefined) logger.warn({ event: 'broker.no-remote-login' }, warning);
  const c = s.certificate;
  if (c !== undefined) logger.info({ event: 'tls.serving', ...c }, `TLS certificate: ${c.subject}, serial ${c.serialNumber}, valid to ${c.validTo}`);
}
