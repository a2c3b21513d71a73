import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs src/cli.ts through tsx, so these tests need no build (and no broker for these paths). */
function cli(args: readonly string[]): Promise<Run> {
  // The test runner's own WARREN_* variables must not leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('warren CLI', () => {
  it('--help prints every option and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: warren \[options\]/);
    expect(run.stdout).toContain('--port PORT');
    expect(run.stdout).toContain('WARREN_PORT');
    expect(run.stderr).toBe('');
  });

  it('an unknown flag exits 2 with a suggestion on stderr', async () => {
    const run = await cli(['--prot', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('warren: unknown option --prot; did you mean --port?');
    expect(run.stdout).toBe('');
  });

  it('an out-of-range value exits 2 naming the flag', async () => {
    const run = await cli(['--port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('warren: --port: must be <= 65535 (got 70000)');
  });
});
