import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { openBroker } from '../../helpers/broker.js';
import { distStaleness } from '../../helpers/dist.js';

/*
 * The target of the admin tools' tests: a Warren started here (embedded, with the management API on a
 * free port), or, with ADMIN_REFERENCE_URL=http://guest:guest@127.0.0.1:PORT and
 * ADMIN_REFERENCE_AMQP=amqp://127.0.0.1:PORT, a RabbitMQ with the management plugin. The tools run as
 * real processes (the built bin, Debian's rabbitmqadmin); effects are checked over AMQP with amqplib.
 */

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const REFERENCE_URL = process.env['ADMIN_REFERENCE_URL'];
export const onReference = REFERENCE_URL !== undefined;
/** RabbitMQ's management stats arrive every 5 s: waits there are longer. */
export const WAIT_MS = onReference ? 30_000 : 5_000;
export const TEST_TIMEOUT = onReference ? 90_000 : 30_000;

export interface Target {
  /** The management API: host, port, guest's credentials. */
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** guest's AMQP URL; amqpAs() for another user and vhost. */
  readonly amqp: string;
  amqpAs(user: string, password: string, vhost: string): string;
  close(): Promise<void>;
}

export async function openTarget(): Promise<Target> {
  if (REFERENCE_URL !== undefined) {
    const u = new URL(REFERENCE_URL);
    const amqp = new URL(process.env['ADMIN_REFERENCE_AMQP'] ?? 'amqp://127.0.0.1:5672');
    const username = decodeURIComponent(u.username || 'guest');
    const password = decodeURIComponent(u.password || 'guest');
    const amqpAs = (user: string, pw: string, vhost: string): string =>
      `amqp://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@${amqp.hostname}:${amqp.port}/${encodeURIComponent(vhost)}`;
    return { host: u.hostname, port: Number(u.port), username, password, amqp: amqpAs(username, password, '/'), amqpAs, close: async () => undefined };
  }
  const { broker, close } = await openBroker({ managementPort: 0 });
  const amqpPort = new URL(broker.url).port;
  const amqpAs = (user: string, pw: string, vhost: string): string =>
    `amqp://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@127.0.0.1:${amqpPort}/${encodeURIComponent(vhost)}`;
  return { host: '127.0.0.1', port: broker.managementPort as number, username: 'guest', password: 'guest', amqp: amqpAs('guest', 'guest', '/'), amqpAs, close };
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (asynchronously: an embedded broker must keep serving meanwhile). */
export function run(command: string, args: readonly string[], stdin?: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Why the built warren-admin cannot be run, or undefined. */
export function adminUnavailable(): string | undefined {
  return distStaleness(ROOT);
}

/** The built bin (package.json "bin": warren-admin), pointed at the target. */
export function admin(t: Target, args: readonly string[], stdin?: string | Buffer): Promise<Run> {
  return run(process.execPath, ['dist/src/admin/cli.js', '-H', t.host, '-P', String(t.port), '-u', t.username, '-p', t.password, ...args], stdin);
}

/** The same, expecting success: the stdout, or a failure that shows what the tool said. */
export async function adminOk(t: Target, args: readonly string[], stdin?: string | Buffer): Promise<string> {
  const r = await admin(t, args, stdin);
  if (r.code !== 0) throw new Error(`warren-admin ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function adminJson<T = unknown>(t: Target, args: readonly string[]): Promise<T> {
  return JSON.parse(await adminOk(t, ['-f', 'json', ...args])) as T;
}

/** A name no earlier run left behind on a reference broker. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Polls fn until it returns a value other than undefined (management stats lag on RabbitMQ). */
export async function until<T>(fn: () => Promise<T | undefined>, message: string, timeoutMs = WAIT_MS): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`${message} (waited ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A port nothing listens on: bound and released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof a === 'object' && a !== null ? a.port : 1;
}

/** Debian's rabbitmqadmin (rabbitmq-server ships it; .ci/run extracts only the script), or why it cannot run. */
export function findRabbitmqadmin(): { script: string } | { missing: string } {
  const candidates = [process.env['RABBITMQADMIN'], '/usr/bin/rabbitmqadmin', '/usr/local/bin/rabbitmqadmin'].filter((p): p is string => p !== undefined && p !== '');
  const script = candidates.find((p) => existsSync(p));
  if (script === undefined) return { missing: 'rabbitmqadmin not found (apt-get install rabbitmq-server, or set RABBITMQADMIN to the script; .ci/run extracts it)' };
  return { script };
}
