import type { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';

/**
 * What a connection runs over: any Duplex byte stream (a TCP or TLS socket, or an in-memory pair in
 * a unit test). Reads and writes, pause/resume, 'drain', end and destroy are all a connection uses;
 * the socket-only parts are optional and used when present.
 */
export type Transport = Duplex & {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  setNoDelay?(noDelay?: boolean): unknown;
  /** A TLS socket's: true once the peer's certificate verified against the CA (SASL EXTERNAL needs it). */
  readonly encrypted?: boolean;
  readonly authorized?: boolean;
  getPeerX509Certificate?(): X509Certificate | undefined;
  /** A TLS socket's negotiated version (`TLSv1.3`) and suite; null once destroyed. */
  getProtocol?(): string | null;
  getCipher?(): { readonly name: string; readonly standardName?: string; readonly version: string } | null;
};
