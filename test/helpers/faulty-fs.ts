import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./faulty-fs.py', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-fusepy installs (not a pyenv shim)

export type FaultCode = 'EIO' | 'ENOSPC';
export interface FaultRule {
  readonly fsync?: FaultCode;
  readonly write?: FaultCode;
  /** Only paths containing this (e.g. "msgs." or "definitions.log"). */
  readonly match?: string;
}

export interface FaultyFs {
  /** The mounted directory, for the data dir. */
  readonly dir: string;
  /** Faults from now on (an empty rule clears them). */
  set(rule: FaultRule): void;
  /** One line per fault injected so far: `fsync EIO /path`. */
  injected(): string[];
  unmount(): void;
}

/**
 * A directory on a FUSE passthrough filesystem (test/helpers/faulty-fs.py) whose fdatasync or write
 * fails on command, with Linux's behaviour after a failed writeback: the bytes written since the last
 * good fsync are lost and a later fsync succeeds. Needs root, /dev/fuse and python3-fusepy; otherwise
 * the reason comes back as a string to skip with. (No device-mapper in this kernel, so no dm-error.)
 */
export async function mountFaultyFs(): Promise<FaultyFs | string> {
  if (process.getuid?.() !== 0) return 'needs root to mount a FUSE filesystem';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (spawnSync(PYTHON, ['-c', 'import fusepy'], { stdio: 'ignore' }).status !== 0) return 'python3-fusepy is not installed';
  const root = mkdtempSync(join(tmpdir(), 'warren-faulty-fs-'));
  const backing = join(root, 'backing');
  const dir = join(root, 'mnt');
  const control = join(root, 'control.json');
  mkdirSync(backing);
  mkdirSync(dir);
  writeFileSync(control, '{}');
  const child = spawn(PYTHON, [SCRIPT, backing, dir, control], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const mounted = (): boolean => readFileSync('/proc/mounts', 'utf8').includes(` ${dir} fuse`);
  for (let i = 0; i < 100 && !mounted() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
  if (!mounted()) {
    child.kill();
    rmSync(root, { recursive: true, force: true });
    return `faulty-fs did not mount: ${stderr.split('\n').slice(-3).join(' ')}`;
  }
  return {
    dir,
    set: (rule) => writeFileSync(control, JSON.stringify(rule)),
    injected: () => (existsSync(`${control}.log`) ? readFileSync(`${control}.log`, 'utf8').split('\n').filter(Boolean) : []),
    unmount: () => {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' }); // busy: detach now, gone once unused
      }
      child.kill();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
