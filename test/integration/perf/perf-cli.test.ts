import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withBroker } from '../../helpers/broker.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/perf/cli.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run perf', () => {
  it('exits 2 on an unknown option and lists the known ones', async () => {
    const r = await cli(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus; known options: --url, -x/--producers');
    expect(r.stderr).toContain('usage: npm run perf -- [options]');
  });

  it('prints progress on stderr and a JSON summary on stdout, exit code 0 when the checks pass', async () => {
    await withBroker(async (broker) => {
      const r = await cli(['--url', broker.url, '-z', '1.2', '-a', '--json', '--workers', '0']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/\[\s+1s\] sent\s+[\d,]+\/s \| confirmed/);
      const result = JSON.parse(r.stdout) as { ok: boolean; published: number; received: number; loss: number };
      expect(result.ok).toBe(true);
      expect(result.published).toBeGreaterThan(0);
      expect(result.received).toBe(result.published);
      expect(result.loss).toBe(0);
    });
  });
});
