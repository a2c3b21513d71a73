import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real nats-server processes (Debian's nats-server 2.9.10) for the cluster and bridge tests. A suite
 * starts them once (beforeAll) and stops them at the end; a test may kill -9 one and start it again
 * on the same ports and store directory.
 */

export const NATS_SERVER = process.env['NATS_SERVER'] ?? '/usr/sbin/nats-server';

/** True when the nats-server binary runs here; suites skip with a reason otherwise (CI apt-gets it). */
export function natsServerAvailable(): boolean {
  return spawnSync(NATS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface NatsServer {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The monitoring port (/healthz, /jsz, /varz). */
  readonly httpPort: number;
  readonly storeDir: string;
  readonly running: boolean;
  /** Sends a signal (SIGKILL for a crash) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same ports and store directory, and waits until it is healthy. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly servers: readonly NatsServer[];
  /** Every server's client URL, comma-separated, as `--cluster-nats` takes them. */
  readonly urls: string;
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  /** How many servers; more than one forms a NATS cluster with routes between them. Default 1. */
  readonly size?: number;
  /** Start with JetStream (-js -sd DIR). Default true. */
  readonly jetstream?: boolean;
  /** How long to wait for the servers to report healthy (JetStream meta leader elected). */
  readonly timeoutMs?: number;
}

/** Starts `size` nats-servers on free loopback ports and waits until each reports healthy. */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 1;
  const jetstream = options.jetstream ?? true;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const root = mkdtempSync(join(tmpdir(), 'warren-nats-'));
  const ports = await freePorts(size * 3);
  const routePorts = ports.slice(size * 2);
  const servers: ServerProcess[] = [];
  for (let i = 0; i < size; i++) {
    servers.push(
      new ServerProcess({
        name: `n${i + 1}`,
        port: ports[i]!,
        httpPort: ports[size + i]!,
        routePort: size > 1 ? routePorts[i]! : undefined,
        routes: size > 1 ? routePorts.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`) : [],
        storeDir: join(root, `n${i + 1}`),
        jetstream,
        timeoutMs,
      }),
    );
  }
  try {
    await Promise.all(servers.map((s) => s.start()));
  } catch (err) {
    await Promise.all(servers.map((s) => s.kill('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    servers,
    urls: servers.map((s) => s.url).join(','),
    stop: async () => {
      await Promise.all(servers.map((s) => s.kill('SIGTERM')));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

interface ServerSpec {
  readonly name: string;
  readonly port: number;
  readonly httpPort: number;
  readonly routePort: number | undefined;
  readonly routes: readonly string[];
  readonly storeDir: string;
  readonly jetstream: boolean;
  readonly timeoutMs: number;
}

class ServerProcess implements NatsServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  constructor(private readonly spec: ServerSpec) {}

  get name(): string {
    return this.spec.name;
  }
  get port(): number {
    return this.spec.port;
  }
  get url(): string {
    return `nats://127.0.0.1:${this.spec.port}`;
  }
  get httpPort(): number {
    return this.spec.httpPort;
  }
  get storeDir(): string {
    return this.spec.storeDir;
  }
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const s = this.spec;
    const args = ['-a', '127.0.0.1', '-p', String(s.port), '-m', String(s.httpPort), '-n', s.name];
    if (s.jetstream) args.push('-js', '-sd', s.storeDir);
    if (s.routePort !== undefined) {
      args.push('--cluster_name', 'warren-test', '--cluster', `nats://127.0.0.1:${s.routePort}`, '--routes', s.routes.join(','));
    }
    this.output = '';
    const child = spawn(NATS_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.keep(d));
    child.stderr?.on('data', (d: Buffer) => this.keep(d));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await this.waitHealthy();
  }

  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.running) this.child!.kill(signal);
    await this.exited;
  }

  private keep(d: Buffer): void {
    // Only the tail matters for an error message; the server logs every route reconnect.
    this.output = (this.output + d.toString()).slice(-4000);
  }

  /** /healthz answers 200 once the server accepts clients and, with JetStream, once its meta group has a leader and it is current. */
  private async waitHealthy(): Promise<void> {
    const deadline = Date.now() + this.spec.timeoutMs;
    const path = '/healthz';
    for (;;) {
      if (!this.running) throw new Error(`nats-server ${this.name} exited: ${this.output}`);
      try {
        const res = await fetch(`http://127.0.0.1:${this.spec.httpPort}${path}`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`nats-server ${this.name} not healthy within ${this.spec.timeoutMs} ms: ${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Free loopback ports, all held open until every one is known so no two are the same. */
async function freePorts(count: number): Promise<number[]> {
  const holders = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
    ),
  );
  const ports = holders.map((h) => (h.address() as import('node:net').AddressInfo).port);
  await Promise.all(holders.map((h) => new Promise((r) => h.close(r))));
  return ports;
}
