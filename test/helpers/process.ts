import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WarrenProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** Every JSON log line so far. */
  readonly logs: Record<string, unknown>[];
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts `src/cli.ts` as a real process (through tsx, so no build step, unless `built`) and waits until it listens. */
export async function startWarrenProcess(args: readonly string[], timeoutMs = 20_000, nodeArgs: readonly string[] = [], built = false): Promise<WarrenProcess> {
  // built: dist/src/cli.js (npm run build first), as benchmarks want it: no tsx transform or its helpers.
  const entry = built ? ['dist/src/cli.js'] : ['--import', 'tsx', 'src/cli.ts'];
  const child = spawn(process.execPath, [...nodeArgs, ...entry, '--port', '0', '--bind', '127.0.0.1', '--management-port', 'off', '--prometheus-port', 'off', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // The child must not inherit WARREN_* settings from the test environment (it refuses unknown ones).
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARREN_'))),
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`warren did not listen within ${timeoutMs} ms: ${stderr}; last log lines: ${logs.slice(-5).map((l) => String(l['event']) + ':' + String(l['msg'])).join(' | ')}`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry['event'] === 'broker.listening') {
            clearTimeout(timer);
            resolve(entry['port'] as number);
          }
        } catch {
          // not a log line
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`warren exited with ${code} before listening: ${stderr}`));
    });
  });
  return {
    child,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    logs,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
