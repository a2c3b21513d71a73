import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** fixtures/interop/, where the Python scenario scripts and the Celery app live. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'interop');

/**
 * A Python 3 that can import every module named, or undefined. Debian's python3-* packages live
 * in /usr/bin/python3's path, which a pyenv or venv python3 earlier on PATH does not see.
 */
export function findPython(modules: readonly string[]): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(candidate, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

/** The environment for the Python fixtures: no __pycache__ written into fixtures/interop/. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...extra };
}

export function hasCommands(names: readonly string[]): boolean {
  return names.every((name) => spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0);
}

/** Says what to install when a client is missing; the suite for it is skipped. */
export function warnMissing(client: string, debianPackages: string): void {
  console.warn(`interop: skipping ${client}: not installed. Install it with: apt-get install -y ${debianPackages}`);
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion without blocking the event loop (the broker runs in this process). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface ScenarioResult {
  readonly scenario: number;
  readonly status: 'ok' | 'fail' | 'n/a';
  readonly detail?: string;
}

/** The JSON result lines a fixtures/interop script printed, by scenario id. */
export function parseResults(stdout: string): Map<number, ScenarioResult> {
  const results = new Map<number, ScenarioResult>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line) as ScenarioResult;
    results.set(r.scenario, r);
  }
  return results;
}
