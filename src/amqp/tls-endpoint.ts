import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Server as TlsServer, TLSSocket, TlsOptions } from 'node:tls';
import type { Config } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { loadTls, type LoadedTls, type TlsPaths } from './tls-context.js';

/** How often the certificate files are stat'ed; polling follows renames and symlink swaps (Kubernetes secrets), fs.watch does not. */
const WATCH_INTERVAL_MS = 1000;
/** A renewal writes the certificate and the key one after the other: reload once both settled. */
const DEBOUNCE_MS = 250;

export type ReloadTrigger = 'api' | 'signal' | 'file-change';

/**
 * The amqps listeners' shared TLS state: the options they were created with, the context every
 * listener serves, its reload (broker.reloadTls(), SIGHUP in the CLI, or a change to one of the
 * files) and the peer checks Node's rejectUnauthorized cannot express. A reload that fails keeps the
 * context being served and logs why.
 */
export class TlsEndpoint {
  private readonly servers: TlsServer[] = [];
  private readonly paths: TlsPaths;
  private readonly config: Config;
  private readonly logger: Logger;
  private served: LoadedTls;
  private reloading: Promise<void> = Promise.resolve();
  private debounce: NodeJS.Timeout | undefined;
  private watching = false;

  constructor(config: Config, paths: TlsPaths, loaded: LoadedTls, logger: Logger) {
    this.config = config;
    this.paths = paths;
    this.served = loaded;
    this.logger = logger;
  }

  get certificate(): LoadedTls['certificate'] {
    return this.served.certificate;
  }

  /**
   * verify_peer asks for a certificate; only with fail_if_no_peer_cert does the handshake itself
   * refuse (a missing or a bad one alike). Without it a missing certificate is fine and a bad one is
   * refused right after the handshake (see peerRefusal).
   */
  serverOptions(): TlsOptions {
    const verify = this.config.tlsVerifyPeer;
    return {
      ...this.served.context,
      requestCert: verify,
      rejectUnauthorized: verify && this.config.tlsFailIfNoPeerCert,
      handshakeTimeout: this.config.handshakeTimeout,
    };
  }

  add(server: TlsServer): void {
    this.servers.push(server);
  }

  /** Why a socket that finished its handshake is refused, or undefined to serve it. */
  peerRefusal(socket: TLSSocket): string | undefined {
    if (!this.config.tlsVerifyPeer || socket.authorized) return undefined;
    const presented = socket.getPeerX509Certificate() !== undefined;
    if (!presented) return this.config.tlsFailIfNoPeerCert ? 'the client sent no certificate' : undefined;
    return `the client certificate did not verify: ${String(socket.authorizationError)}`;
  }

  /** Reads the files again and serves them on every listener; rejects (and keeps the old context) when they do not load. */
  reload(trigger: ReloadTrigger): Promise<void> {
    const run = async (): Promise<void> => {
      let loaded: LoadedTls;
      try {
        loaded = await loadTls(this.paths);
      } catch (err) {
        this.logger.error(
          { event: 'tls.reload-failed', trigger, error: (err as Error).message },
          `TLS certificates not reloaded, still serving the previous ones: ${(err as Error).message}`,
        );
        throw err;
      }
      for (const server of this.servers) server.setSecureContext(loaded.context);
      this.served = loaded;
      this.logger.info({ event: 'tls.reloaded', trigger, ...loaded.certificate }, `TLS certificates reloaded (${trigger}): serial ${loaded.certificate.serialNumber}, valid to ${loaded.certificate.validTo}`);
    };
    const next = this.reloading.then(run, run);
    this.reloading = next.catch(() => undefined);
    return next;
  }

  /** Reloads, debounced, when the certificate, key or CA file changes (content, rename, symlink swap). */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    for (const path of this.files()) watchFile(path, { interval: WATCH_INTERVAL_MS, persistent: false }, this.onFileChange);
  }

  private readonly onFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino && current.size === previous.size && current.ctimeMs === previous.ctimeMs) return;
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.reload('file-change').catch(() => undefined); // logged by reload
    }, DEBOUNCE_MS);
    this.debounce.unref();
  };

  close(): void {
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    if (this.watching) for (const path of this.files()) unwatchFile(path, this.onFileChange);
    this.watching = false;
    this.servers.length = 0;
  }

  private files(): string[] {
    return [this.paths.cert, this.paths.key, ...(this.paths.ca === null ? [] : [this.paths.ca])];
  }
}
