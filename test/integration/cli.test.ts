import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs src/cli.ts through tsx, so these tests need no build (and no broker for these paths). */
function cli(args: readonly string[], as?: { uid: number; gid: number }): Promise<Run> {
  // The test runner's own WARREN_* variables must not leak into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...as,
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
    expect(run.stderr).toBe('warren: unknown option --prot; did you mean --port? (warren --help lists the options)\n');
    // stdout is a pipe here, as under a service manager: the same failure as one JSON log line.
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; exitCode: number });
    expect(lines).toMatchObject([{ level: 60, msg: 'unknown option --prot; did you mean --port?', exitCode: 2 }]);
  });

  it('an out-of-range value exits 2 naming the flag', async () => {
    const run = await cli(['--port', '70000']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('warren: --port: must be <= 65535 (got 70000)');
  });

  it('--version prints the version from package.json and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await cli(['--version']);
    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('a bind address that is not an IP exits 2 saying what a valid one looks like', async () => {
    const run = await cli(['--bind', '999.1.1.1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('warren: --bind: "999.1.1.1" is not an IP address: write IPv4 or IPv6 addresses such as 127.0.0.1');
    const spaced = await cli(['--bind', '127.0.0.1 ::1']);
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toContain('separate several addresses with commas');
  });

  it('a memory watermark of 2 (two bytes, once) exits 2 with a hint', async () => {
    const run = await cli(['--memory-high-watermark', '2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--memory-high-watermark: a bare number above 1 is ambiguous (got 2)');
    expect(run.stderr).toContain('such as 2GB or 512MiB');
  });
});

describe('a data directory that cannot be used: exit 3, and the message names the directory', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'warren-cli-dir-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const file = join(scratch, 'a-file');
  writeFileSync(file, 'not a directory');

  /** The stderr line, checked against the one fatal JSON log line. */
  async function refused(dataDir: string, as?: { uid: number; gid: number }): Promise<string> {
    const run = await cli(['--port', '0', '--bind', '127.0.0.1', '--data-dir', dataDir], as);
    expect(run.code).toBe(3);
    const stderrLines = run.stderr.trimEnd().split('\n');
    expect(stderrLines).toHaveLength(1);
    const fatal = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.level === 60);
    expect(fatal.map((l) => `warren: ${l.msg}`)).toEqual(stderrLines);
    expect(run.stderr).not.toContain('cannot listen');
    return stderrLines[0]!;
  }

  it('EEXIST: the path is a file', async () => {
    expect(await refused(file)).toBe(`warren: cannot use data directory ${file}: it exists and is not a directory (see --data-dir)`);
  });

  it('ENOTDIR: a part of the path is a file', async () => {
    const below = join(file, 'data');
    expect(await refused(below)).toBe(
      `warren: cannot use data directory ${below}: a part of the path is a file, not a directory (see --data-dir)`,
    );
  });

  // A read-only file system needs a mount: root only (CI containers usually are), skipped elsewhere.
  it.skipIf(process.getuid?.() !== 0)('EROFS: the file system is read-only', async (ctx) => {
    const readOnly = join(scratch, 'ro');
    mkdirSync(readOnly);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly]);
    if (mounted.status !== 0) ctx.skip();
    try {
      const dataDir = join(readOnly, 'data');
      expect(await refused(dataDir)).toBe(
        `warren: cannot use data directory ${dataDir}: the file system is read-only (see --data-dir)`,
      );
    } finally {
      spawnSync('umount', [readOnly]);
    }
  });

  it('EACCES: the directory cannot be written', async () => {
    const locked = join(scratch, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    chmodSync(scratch, 0o755);
    // root may write anywhere: run as nobody then, as a service account would.
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    expect(await refused(locked, as)).toBe(
      `warren: cannot use data directory ${locked}: permission denied (the user running Warren must be able to create and write it) (see --data-dir)`,
    );
  });
});

// util-linux `script` runs a command on a pseudo-terminal, as an operator's shell would.
const SCRIPT = ['/usr/bin/script', '/bin/script'].find((path) => existsSync(path));

describe('log format', () => {
  it.skipIf(SCRIPT === undefined)('is pretty on a terminal by default, JSON on a pipe', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-cli-tty-'));
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    try {
      const command = [process.execPath, '--import', 'tsx', join(ROOT, 'src', 'cli.ts'), '--port', '0', '--management-port', 'off', '--prometheus-port', 'off', '--data-dir', file]
        .map((arg) => `'${arg}'`)
        .join(' ');
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));
      const tty = spawnSync(SCRIPT!, ['-qefc', command, '/dev/null'], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
      expect(tty.status).toBe(3);
      const plain = tty.stdout.replace(/\x1b\[[0-9;]*m/g, '');
      expect(plain).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] FATAL: cannot use data directory /m);
      expect(plain).not.toMatch(/^\{"level"/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

