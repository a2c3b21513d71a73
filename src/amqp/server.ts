import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { BrokerContext } from './broker-context.js';
import { Connection } from './connection.js';
import { ConnectionView } from './connection-view.js';
import { connectionEvent, diagnostics } from './diagnostics.js';
import { ClosingConnections } from './closing-connections.js';
import { TimeSliced } from './time-sliced.js';
import type { TlsEndpoint } from './tls-endpoint.js';

/** How often the shared ticker runs: heartbeats need a quarter of the shortest interval (1 s). */
const TICK_MS = 250;
/**
 * Sockets accepted over max-connections to be told why (530 after start-ok) are themselves
 * bounded: beyond this many at once, further sockets are closed without a reply. Each lives at most
 * the handshake timeout.
 */
const MAX_REFUSING = 64;
/**
 * Time for closing sockets whose peer finished sending, per turn of the event loop. Node's default
 * (allowHalfOpen false) ends each one in the poll phase that read its EOF, and its shutdown, destroy
 * and close callbacks follow in that same turn: when 2,000 clients dropped at once, that was about
 * 100 ms of CPU in one turn, Warren's own releases already sliced (bench/event-loop-stalls.ts close;
 * a bare Node server does the same). The listeners allow half-open sockets and an EOF only queues its
 * socket here; what stays in the EOF's turn is Node reading it. The amqps listeners do not (yet).
 */
const END_BUDGET_MS = 3;

/**
 * The TCP listeners and the set of live connections. One ticker serves every connection
 * (heartbeats, handshake timeouts, the coarse clock) instead of timers per connection.
 */
export class AmqpServer {
  private readonly servers: NetServer[] = [];
  private readonly tlsServers: NetServer[] = [];
  private readonly connections = new Set<Connection>();
  private readonly ctx: BrokerContext;
  private ticker: NodeJS.Timeout | undefined;
  private accepted = 0;
  private refusing = 0;
  private readonly tickNow: () => void;
  port = 0;

  constructor(ctx: BrokerContext, tickNow: () => void) {
    this.ctx = ctx;
    this.tickNow = tickNow;
  }

  /** Connections served, not counting those accepted only to be refused. */
  get connectionCount(): number {
    return this.connections.size - this.refusing;
  }

  /** The address of each plain listener that opened (a skipped ::1 is not among them). */
  get addresses(): { readonly address: string; readonly port: number }[] {
    return addressesOf(this.servers);
  }

  /** The address of each amqps listener that opened. */
  get tlsAddresses(): { readonly address: string; readonly port: number }[] {
    return addressesOf(this.tlsServers);
  }

  /** Listens on every bind address, all on the same port (the first one picks it when 0). */
  async listen(port: number, addresses: readonly string[]): Promise<number> {
    const chosen = await this.listenAll(port, addresses, this.servers, () => createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket)));
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
    return chosen;
  }

  /**
   * The amqps listeners, on the same bind addresses: a connection starts once its TLS handshake is
   * done, over the TLS socket; everything after that is as on a plain socket. Call after listen().
   */
  async listenTls(port: number, addresses: readonly string[], tls: TlsEndpoint): Promise<number> {
    return this.listenAll(port, addresses, this.tlsServers, () => {
      const server = createTlsServer({ ...tls.serverOptions(), noDelay: true }, (socket) => this.acceptTls(socket, tls));
      server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => {
        this.ctx.logger.warn(
          { event: 'tls.handshake-failed', connection: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`, code: err.code, error: err.message },
          `TLS handshake failed: ${err.message}`,
        );
      });
      tls.add(server);
      return server;
    });
  }

  private acceptTls(socket: TLSSocket, tls: TlsEndpoint): void {
    const refusal = tls.peerRefusal(socket);
    if (refusal === undefined) return this.accept(socket);
    this.ctx.logger.warn(
      { event: 'tls.peer-refused', connection: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`, why: refusal },
      `TLS client refused: ${refusal}`,
    );
    socket.destroy();
  }

  private async listenAll(port: number, addresses: readonly string[], into: NetServer[], make: () => NetServer): Promise<number> {
    let chosen = port;
    for (const [i, host] of addresses.entries()) {
      const server = make();
      server.maxConnections = this.ctx.config.maxConnections + MAX_REFUSING;
      try {
        chosen = await listenOn(server, chosen, host);
      } catch (err) {
        // The default bind list includes ::1; a host without IPv6 still serves 127.0.0.1.
        const code = (err as NodeJS.ErrnoException).code;
        if (i > 0 && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
          this.ctx.logger.warn({ host, code }, `cannot listen on ${host}, skipping it`);
          continue;
        }
        await this.close();
        throw err;
      }
      into.push(server);
    }
    if (into === this.servers) this.port = chosen;
    return chosen;
  }

  private accept(socket: Socket): void {
    const max = this.ctx.config.maxConnections;
    const over = this.connectionCount >= max;
    if (over && this.refusing >= MAX_REFUSING) {
      socket.destroy();
      return;
    }
    // TLS sockets keep Node's end-on-EOF: its half-open TLS sockets (failed handshakes among them) hung.
    if (socket.allowHalfOpen) socket.on('end', () => this.ended.add(socket));
    const conn = new Connection(socket, this.ctx, this.forget, ++this.accepted);
    if (over) {
      // RabbitMQ's connection_max (rabbit_reader:is_over_node_connection_limit): 530 at connection.open.
      conn.openRefusal = `connection refused: node connection limit (${max}) is reached`;
      this.refusing++;
    } else {
      this.ctx.registry.add(new ConnectionView(conn, this.ctx.registry, this.ctx.stats)); // a refused one is not served, nor listed
    }
    this.connections.add(conn);
    this.ctx.stats.connectionOpened(conn.id, { recvOct: () => conn.parser.bytesIn, sendOct: () => conn.outbound.bytesOut });
  }

  /** Half-closed by the peer: AMQP has no use for the half left open, so each is closed, a slice at a time. */
  private readonly ended = new TimeSliced<Socket>(closeEnded, END_BUDGET_MS);

  /** Closed sockets, released in time-bounded slices; each is forgotten once released. */
  private readonly closing = new ClosingConnections<Connection>(
    (c) => {
      if (this.connections.delete(c) && c.openRefusal !== undefined) this.refusing--;
    },
    (c, err) => this.ctx.internalError(err, { connection: c.label }),
  );

  private readonly forget = (c: Connection): void => {
    this.ctx.registry.remove(this.ctx.registry.connectionId(c.id));
    this.ctx.stats.connectionClosed(c.id);
    // Paired with connection:open: sockets that never finished the handshake emit neither.
    if (c.vhost !== undefined && diagnostics.connectionClose.hasSubscribers) diagnostics.connectionClose.publish(connectionEvent(c));
    this.closing.add(c);
  };

  private tick(): void {
    this.tickNow();
    const now = this.ctx.now();
    for (const c of this.connections) {
      try {
        c.tick(now);
      } catch (err) {
        // A bug in one connection's timers ends that connection, not the ticker every other one needs.
        this.ctx.internalError(err, { connection: c.label, during: 'tick' });
        c.socket.destroy();
      }
    }
  }

  /** Bytes all connections buffer (input being parsed, output not yet taken by the kernel). */
  bufferedBytes(): number {
    let n = 0;
    for (const c of this.connections) n += c.bufferedBytes;
    return n;
  }

  /** An alarm went on or off: block every connection that publishes, or release them all. */
  setAlarm(active: boolean, reason: string): void {
    for (const c of this.connections) {
      if (active && c.hasPublished) c.setBlocked(true, reason);
      else if (!active && c.isBlocked) c.setBlocked(false);
    }
  }

  /** The test kit's fault: every channel with unacked deliveries under a consumer timeout times out now; how many. */
  expireConsumerTimeouts(): number {
    let n = 0;
    for (const c of this.connections) for (const ch of c.channels.values()) if (ch.expireConsumerTimeout()) n++;
    return n;
  }

  /** Stops accepting, closes every connection with 320 CONNECTION_FORCED, waits for sockets (bounded). */
  async close(reason = 'broker shutdown'): Promise<void> {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    const closing = [...this.servers, ...this.tlsServers].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.servers.length = 0;
    this.tlsServers.length = 0;
    await forceClose([...this.connections], reason);
    await Promise.all(closing);
    this.ended.flush();
    this.closing.flush();
  }

  /** Closes the connections of one user with 320 CONNECTION_FORCED (the user was deleted). */
  closeUserConnections(user: string, reason: string): Promise<void> {
    return forceClose([...this.connections].filter((c) => c.user === user), reason);
  }

  /** What the per-vhost and per-user limits count: opened connections (a handshake in progress is not one). */
  readonly counts = {
    connectionsOn: (vhost: string): number => this.count((c) => c.vhost?.name === vhost),
    connectionsOf: (user: string): number => this.count((c) => c.vhost !== undefined && c.user === user),
    channelsOf: (user: string): number => {
      let n = 0;
      for (const c of this.connections) if (c.vhost !== undefined && c.user === user) n += c.channels.size;
      return n;
    },
  };

  private count(test: (c: Connection) => boolean): number {
    let n = 0;
    for (const c of this.connections) if (test(c)) n++;
    return n;
  }

  /** Closes the connections open on one vhost with 320 CONNECTION_FORCED; resolves once their sockets are closed (bounded). */
  closeVhostConnections(vhost: string, reason: string): Promise<void> {
    return forceClose([...this.connections].filter((c) => c.vhost?.name === vhost), reason);
  }
}

/** Sends connection.close 320 to each, waits for their close-ok and sockets (5 s at most), then destroys what is left. */
async function forceClose(connections: readonly Connection[], reason: string): Promise<void> {
  const sockets = connections.map(
    (c) =>
      new Promise<void>((resolve) => {
        if (c.socket.destroyed) return resolve();
        c.socket.once('close', () => resolve());
        c.forceClose(reason);
      }),
  );
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
  await Promise.race([Promise.all(sockets), deadline]);
  for (const c of connections) c.socket.destroy();
}

/** What is still queued to go out goes first (end), as Node's own end-on-EOF did; otherwise at once. */
function closeEnded(socket: Socket): void {
  if (socket.writableLength > 0) socket.end();
  else socket.destroy();
}

function addressesOf(servers: readonly NetServer[]): { readonly address: string; readonly port: number }[] {
  return servers.flatMap((s) => {
    const a = s.address();
    return typeof a === 'object' && a !== null ? [{ address: a.address, port: a.port }] : [];
  });
}

function listenOn(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
    });
  });
}
