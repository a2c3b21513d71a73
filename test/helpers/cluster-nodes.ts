import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsCluster, type NatsCluster } from './nats-server.js';
import { startWarrenProcess, type WarrenProcess } from './process.js';

/**
 * Three nats-servers (JetStream, one NATS cluster) and Warren processes joined through them, for the
 * cluster integration tests: started once per suite, a node may be killed and started again on its
 * data directory. Connections opened through it are closed by stop().
 */
export class ClusterNodes {
  readonly nodes: Record<string, WarrenProcess> = {};
  private readonly dirs: Record<string, string> = {};
  private readonly conns: ChannelModel[] = [];
  nats!: NatsCluster;

  constructor(
    private readonly prefix: string,
    private readonly extraArgs: readonly string[] = [],
  ) {}

  async start(names: readonly string[]): Promise<void> {
    this.nats = await startNatsCluster({ size: 3, jetstream: true });
    const [first, ...rest] = names;
    await this.startNode(first as string); // creates the R3 metadata bucket; the others open it
    await Promise.all(rest.map((n) => this.startNode(n)));
  }

  async startNode(name: string): Promise<WarrenProcess> {
    this.dirs[name] ??= mkdtempSync(join(tmpdir(), `warren-${this.prefix}-${name}-`));
    const args = ['--data-dir', this.dirs[name], '--cluster-nats', this.nats.urls, '--node-name', name, ...this.extraArgs];
    let node: WarrenProcess;
    try {
      node = await startWarrenProcess(args, 40_000);
    } catch {
      // On a loaded machine the R3 metadata bucket's first answer can take longer than the join's
      // bounded wait (exit 6, data dir untouched): that start is tried once more.
      node = await startWarrenProcess(args, 40_000);
    }
    this.nodes[name] = node;
    return node;
  }

  async connect(name: string): Promise<ChannelModel> {
    const { default: amqplib } = await import('amqplib');
    const conn = await amqplib.connect((this.nodes[name] as WarrenProcess).url);
    conn.on('error', () => undefined);
    this.conns.push(conn);
    return conn;
  }

  async channel(name: string): Promise<ConfirmChannel> {
    const ch = await (await this.connect(name)).createConfirmChannel();
    ch.on('error', () => undefined);
    return ch;
  }

  /** A passive declare on the node until the queue is known there (the metadata watch delivers it). */
  async known(name: string, queue: string): Promise<void> {
    const conn = await this.connect(name);
    try {
      for (let i = 0; ; i++) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        try {
          await ch.checkQueue(queue);
          await ch.close();
          return;
        } catch (err) {
          if (i > 200) throw err;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    for (const c of this.conns) await c.close().catch(() => undefined);
    for (const n of Object.values(this.nodes)) await n.kill('SIGTERM');
    await this.nats?.stop();
    for (const d of Object.values(this.dirs)) rmSync(d, { recursive: true, force: true });
  }
}

export function publishConfirmed(ch: ConfirmChannel, exchange: string, key: string, body: string, options: Record<string, unknown> = {}): Promise<'ack' | 'nack'> {
  return new Promise((resolve) => {
    try {
      ch.publish(exchange, key, Buffer.from(body), options, (err) => resolve(err == null ? 'ack' : 'nack'));
    } catch {
      resolve('nack'); // the channel is closed: never confirmed
    }
  });
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
