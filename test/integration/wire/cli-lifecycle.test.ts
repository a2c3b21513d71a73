import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The warren CLI as an operator runs it: start, find the port in the `listening` log line, serve a
 * client, stop on SIGTERM with 320 CONNECTION_FORCED to clients and exit 0, logging each connection's
 * open and close. Run through tsx, so no build is needed.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface LogLine {
  readonly msg?: string;
  readonly event?: string;
  readonly port?: number;
  readonly connection?: string;
  readonly user?: string;
  readonly reason?: string;
  readonly [key: string]: unknown;
}

interface Running {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
  /** The first log line (seen or still to come) that passes test. */
  line(test: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-cli-'));
  dirs.push(dir);
  return dir;
}

function startCli(args: readonly string[], extraEnv: Record<string, string> = {}): Running {
  // The test runner's own WARREN_* variables must not leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: LogLine[] = [];
  const waiters: { test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let partial = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const text of complete) {
      if (text.trim() === '') continue;
      const l = JSON.parse(text) as LogLine;
      lines.push(l);
      for (const w of waiters.splice(0)) {
        if (w.test(l)) w.resolve(l);
        else waiters.push(w);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    line: (test, what, timeoutMs = 15_000) => {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line ${what}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          test,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`warren exited (${code}) before logging ${what}; stderr: ${stderr}`));
        });
      });
    },
  };
}

const isListening = (l: LogLine): boolean => l.msg === 'listening' && typeof l.port === 'number';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Connects, opens a channel, declares a queue: the broker on this port is really serving AMQP. */
async function serves(port: number): Promise<void> {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
  const ch = await conn.createChannel();
  const q = await ch.assertQueue('', { exclusive: true });
  expect(q.queue).toMatch(/^amq\.gen-/);
  await conn.close();
}

async function stop(run: Running): Promise<number | null> {
  run.child.kill('SIGTERM');
  return run.exited;
}

describe('warren CLI lifecycle', () => {
  it('SIGTERM closes clients with 320 CONNECTION_FORCED, logs each connection, and exits 0', async () => {
    const run = startCli(['--port', '0', '--data-dir', tempDir()]);
    const listening = await run.line(isListening, 'listening');
    const port = listening.port as number;
    expect(port).toBeGreaterThan(0);

    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
    const localPort = (conn.connection as unknown as { stream: { localPort: number } }).stream.localPort;
    const peer = `127.0.0.1:${localPort}`;
    // amqplib does not emit 'error' for 320 (it is not the client's fault); 'close' carries it.
    conn.on('error', () => undefined);
    const closed = new Promise<(Error & { code?: number }) | undefined>((resolve) => conn.on('close', resolve));
    await conn.createChannel();
    await run.line((l) => l.event === 'connection.opened' && l.connection === peer, 'connection.opened');

    const code = await stop(run);
    const closeErr = await closed;
    expect(code).toBe(0);
    expect(closeErr?.code).toBe(320);
    expect(closeErr?.message).toContain('CONNECTION_FORCED');

    const opened = run.lines.filter((l) => l.event === 'connection.opened');
    const closedLines = run.lines.filter((l) => l.event === 'connection.closed');
    expect(opened).toHaveLength(1);
    expect(closedLines).toHaveLength(1);
    expect(opened[0]).toMatchObject({ connection: peer, user: 'guest', vhost: '/' });
    expect(closedLines[0]).toMatchObject({ connection: peer, user: 'guest', vhost: '/' });
    expect(closedLines[0]?.reason).toMatch(/CONNECTION_FORCED/);
    // Every line is written before the process exits, in order: the close comes before 'stopped'.
    const lastStopped = run.lines.findLastIndex((l) => l.msg === 'stopped');
    expect(lastStopped).toBe(run.lines.length - 1);
    expect(run.lines.indexOf(closedLines[0]!)).toBeLessThan(lastStopped);
    expect(run.stderr()).toBe('');
  });

  it('a port in use ends start-up with exit code 1 and a fatal log line saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startCli(['--port', String(port), '--bind', '127.0.0.1', '--data-dir', tempDir()]);
      expect(await run.exited).toBe(1);
      const fatal = run.lines.filter((l) => l.level === 60);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]?.msg).toContain('address already in use');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('WARREN_PORT chooses the port', async () => {
    const port = await freePort();
    const run = startCli(['--data-dir', tempDir(), '--bind', '127.0.0.1'], { WARREN_PORT: String(port) });
    expect((await run.line(isListening, 'listening')).port).toBe(port);
    await serves(port);
    expect(await stop(run)).toBe(0);
  });

  it('--config FILE chooses the port, and WARREN_PORT beats the file', async () => {
    const dir = tempDir();
    const [filePort, envPort] = [await freePort(), await freePort()];
    const file = join(dir, 'warren.json');
    writeFileSync(file, JSON.stringify({ port: filePort, bind: ['127.0.0.1'], dataDir: join(dir, 'data') }));

    const fromFile = startCli(['--config', file]);
    expect((await fromFile.line(isListening, 'listening')).port).toBe(filePort);
    await serves(filePort);
    expect(await stop(fromFile)).toBe(0);

    const fromEnv = startCli(['--config', file], { WARREN_PORT: String(envPort) });
    expect((await fromEnv.line(isListening, 'listening')).port).toBe(envPort);
    await serves(envPort);
    expect(await stop(fromEnv)).toBe(0);
  });
});
