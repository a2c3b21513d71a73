import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The broker under test as a child process: a crash is an exit with its stderr kept, not the end of the
 * fuzzer. Runs `src/cli.ts` through tsx (what is in the tree now) or `dist/src/cli.js` when asked.
 */
export class BrokerProcess {
  readonly port: number;
  readonly child: ChildProcess;
  readonly dataDir: string;
  stderr = '';
  /** Error-level JSON log lines (the broker logs 'internal error' with the stack there). */
  readonly errorLogs: Record<string, unknown>[] = [];
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;

  private constructor(child: ChildProcess, port: number, dataDir: string) {
    this.child = child;
    this.port = port;
    this.dataDir = dataDir;
    child.stderr?.on('data', (d: Buffer) => {
      // Keep the head (the stack) and a tail; a flood of warnings must not grow this without bound.
      if (this.stderr.length < 64 * 1024) this.stderr += d.toString();
    });
    let buffered = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (typeof entry['level'] === 'number' && entry['level'] >= 50 && this.errorLogs.length < 10_000) this.errorLogs.push(entry);
        } catch {
          // not a log line
        }
      }
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  static async start(opts: { dist?: boolean; extraArgs?: readonly string[]; timeoutMs?: number } = {}): Promise<BrokerProcess> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-fuzz-'));
    // A deeper stack than Node's 10 frames: a recursive decoder otherwise hides who called it.
    const entry = ['--stack-trace-limit=40', ...(opts.dist === true ? ['dist/src/cli.js'] : ['--import', 'tsx', 'src/cli.ts'])];
    const child = spawn(
      process.execPath,
      [...entry, '--port', String(port), '--bind', '127.0.0.1', '--management-port', 'off', '--prometheus-port', 'off', '--data-dir', dataDir, '--log-level', 'error', '--fsync', 'never', '--heartbeat', '0', ...(opts.extraArgs ?? [])],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARREN_'))),
      },
    );
    const broker = new BrokerProcess(child, port, dataDir);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (!(await canConnect(port))) {
      if (!broker.alive) throw new Error(`warren exited (${JSON.stringify(broker.exit)}) before listening: ${broker.stderr}`);
      if (Date.now() > deadline) {
        await broker.stop();
        throw new Error(`warren did not listen on ${port} in time: ${broker.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return broker;
  }

  async stop(): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A port the kernel just handed out; the broker binds it right after (a race we accept and retry on). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * A crash's signature: the error line and the first frame inside the project's src/, with line numbers
 * dropped so one bug reached from many cases counts once.
 */
export function crashSignature(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const errIdx = lines.findIndex((l) => /^\w*(Error|Exception)\b/.test(l));
  const errLine = errIdx >= 0 ? lines[errIdx]! : (lines.find((l) => l.length > 0) ?? 'no stderr');
  // The message may quote the offending bytes: keep its fixed part only.
  const message = errLine
    .replace(/\): [\s\S]*$/, ')')
    .replace(/[^\x20-\x7e]+/g, '?')
    .replace(/0x[0-9a-f]+/gi, '0xN')
    .replace(/\d+/g, 'N')
    .slice(0, 90);
  // The innermost frame in src/, then the first two outside the codec: a shortstr that is too long
  // is one bug on delivery and another on a return.
  const frames: string[] = [];
  for (const l of lines.slice(Math.max(errIdx, 0))) {
    const m = /^at (?:(.+?) \()?.*?\/(src\/[^:]+):\d+:\d+\)?$/.exec(l);
    if (m === null) continue;
    if (frames.length > 0 && m[2]!.startsWith('src/protocol/')) continue;
    frames.push(`${m[1] ?? '<anonymous>'} (${m[2]})`);
    if (frames.length === 3) break;
  }
  return frames.length === 0 ? message : `${message} @ ${frames.join(' < ')}`;
}

/** The signature of a logged internal error (the 541 behind a connection.close). */
export function internalErrorSignature(entry: Record<string, unknown>): string {
  const err = entry['err'] as { message?: string; stack?: string; type?: string } | undefined;
  if (err === undefined) return String(entry['msg'] ?? 'error log');
  return crashSignature(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`);
}
