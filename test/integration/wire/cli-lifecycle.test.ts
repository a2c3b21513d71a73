import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** Brokers started behind npm: killing npm would leave them running. */
const brokerPids: number[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of brokerPids.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warren-cli-'));
  dirs.push(dir);
  return dir;
}

/** `npm start` as an operator types it; runs the build in dist/ (made by npm install's prepare). */
const NPM_START = { command: 'npm', prefix: ['start', '--silent', '--', '--management-port', 'off', '--prometheus-port', 'off'] } as const;
const TSX_CLI = { command: process.execPath, prefix: ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), '--management-port', 'off', '--prometheus-port', 'off'] } as const;

function startCli(
  args: readonly string[],
  extraEnv: Record<string, string> = {},
  how: { readonly command: string; readonly prefix: readonly string[] } = TSX_CLI,
): Running {
  // The test runner's own WARREN_* variables must not leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));
  const child = spawn(how.command, [...how.prefix, ...args], {
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
      // npm prints its own lines before the script's; everything else must be a JSON log line.
      if (text.trim() === '' || (how === NPM_START && !text.startsWith('{'))) continue;
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

const isListening = (l: LogLine): boolean => l.event === 'broker.listening' && typeof l.port === 'number';

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

  it('SIGINT (Ctrl-C) stops it cleanly too: 320 to clients, exit 0', async () => {
    const run = startCli(['--port', '0', '--bind', '127.0.0.1', '--data-dir', tempDir()]);
    const port = (await run.line(isListening, 'listening')).port as number;
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
    conn.on('error', () => undefined);
    const closed = new Promise<(Error & { code?: number }) | undefined>((resolve) => conn.on('close', resolve));
    run.child.kill('SIGINT');
    expect((await closed)?.code).toBe(320);
    expect(await run.exited).toBe(0);
    expect(run.lines.at(-1)?.event).toBe('broker.stopped');
  });

  it('a port in use ends start-up with exit code 4, one plain stderr line and a fatal log line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startCli(['--port', String(port), '--bind', '127.0.0.1', '--data-dir', tempDir()]);
      expect(await run.exited).toBe(4);
      const message = `cannot listen on 127.0.0.1:${port}: address already in use (is another broker running? see --port)`;
      expect(run.stderr()).toBe(`warren: ${message}\n`);
      const fatal = run.lines.filter((l) => l.level === 60);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]?.msg).toBe(message);
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

  it('the start-up line gives version, listeners, data directory, fsync, user names (no passwords) and vhosts', async () => {
    const dataDir = tempDir();
    const run = startCli(['--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir, '--fsync', 'never',
      '--user', 'admin:s3cret-pw', '--user', 'app:other-pw', '--vhost', '/', '--vhost', 'prod']);
    const line = await run.line(isListening, 'listening');
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const port = line.port as number;
    expect(line).toMatchObject({
      version,
      listeners: [`127.0.0.1:${port}`],
      dataDir,
      fsync: 'never',
      userCount: 2,
      users: ['admin', 'app'],
      vhosts: ['/', 'prod'],
    });
    expect(line.msg).toBe(
      `Warren ${version} listening on 127.0.0.1:${port}; data directory ${dataDir} (fsync never); 2 users (admin, app); vhosts /, prod`,
    );
    expect(JSON.stringify(run.lines)).not.toMatch(/s3cret-pw|other-pw/);
    expect(await stop(run)).toBe(0);
  });

  it('warns that nobody can log in remotely when listening beyond loopback with only the loopback-only guest', async () => {
    const run = startCli(['--port', '0', '--bind', '0.0.0.0', '--data-dir', tempDir()]);
    await run.line(isListening, 'listening');
    const warning = await run.line((l) => l.event === 'broker.no-remote-login', 'the no-remote-login warning');
    expect(warning.level).toBe(40);
    expect(warning.msg).toContain('nobody can log in from another machine');
    expect(await stop(run)).toBe(0);

    // A user who may log in from anywhere: no warning.
    const withUser = startCli(['--port', '0', '--bind', '0.0.0.0', '--user', 'app:pw', '--data-dir', tempDir()]);
    await withUser.line(isListening, 'listening');
    expect(await stop(withUser)).toBe(0);
    expect(withUser.lines.some((l) => l.event === 'broker.no-remote-login')).toBe(false);
  });

  it('the Kubernetes variables of a Service named warren are ignored with one warning', async () => {
    const run = startCli(['--port', '0', '--bind', '127.0.0.1', '--data-dir', tempDir()], {
      WARREN_SERVICE_HOST: '10.0.0.1',
      WARREN_SERVICE_PORT: '5672',
      WARREN_PORT: 'tcp://10.0.0.1:5672',
      WARREN_PORT_5672_TCP: 'tcp://10.0.0.1:5672',
      WARREN_PORT_5672_TCP_ADDR: '10.0.0.1',
      WARREN_PORT_5672_TCP_PORT: '5672',
      WARREN_PORT_5672_TCP_PROTO: 'tcp',
      WARREN_HEARTBAET: '5',
    });
    const port = (await run.line(isListening, 'listening')).port as number;
    await serves(port);
    const warnings = run.lines.filter((l) => l.event === 'config.ignored').map((l) => l.msg);
    expect(warnings).toHaveLength(2);
    expect(warnings).toContain('ignoring unknown environment variable WARREN_HEARTBAET; did you mean WARREN_HEARTBEAT?');
    expect(warnings.find((m) => m?.startsWith('ignoring 7 Kubernetes service variables'))).toBeDefined();
    expect(await stop(run)).toBe(0);
  });

  it('--log-format pretty writes lines for people; a pipe gets JSON by default', async () => {
    const run = startCli(['--port', '0', '--bind', '127.0.0.1', '--data-dir', tempDir(), '--log-format', 'pretty']);
    // The helper expects JSON: a pretty line makes it throw, so read the raw output instead.
    let raw = '';
    run.child.stdout!.removeAllListeners('data');
    run.child.stdout!.on('data', (chunk: string) => (raw += chunk));
    const deadline = Date.now() + 15_000;
    while (!raw.includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(raw).toMatch(/INFO.*: Warren \S+ listening on 127\.0\.0\.1:\d+/);
    expect(raw.trimStart().startsWith('{')).toBe(false);
    expect(await stop(run)).toBe(0);
  });

  it.skipIf(!existsSync(join(ROOT, 'dist', 'src', 'cli.js')))(
    'SIGTERM to the npm start process stops the broker behind it cleanly: 320 to clients, exit 0',
    async () => {
      const run = startCli(['--port', '0', '--bind', '127.0.0.1', '--data-dir', tempDir()], {}, NPM_START);
      const listening = await run.line(isListening, 'listening', 30_000);
      const brokerPid = listening['pid'] as number;
      brokerPids.push(brokerPid);
      expect(brokerPid).not.toBe(run.child.pid);
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${listening.port as number}`);
      conn.on('error', () => undefined);
      const closed = new Promise<(Error & { code?: number }) | undefined>((resolve) => conn.on('close', resolve));

      run.child.kill('SIGTERM'); // npm's pid, not the broker's
      await run.line((l) => l.event === 'broker.stopped', 'stopped: the broker did not get the signal');
      expect((await closed)?.code).toBe(320);
      expect(await run.exited).toBe(0);
      // The broker is gone too, not left running reparented to PID 1.
      const deadline = Date.now() + 10_000;
      while (isAlive(brokerPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(isAlive(brokerPid)).toBe(false);
    },
    40_000,
  );
});
