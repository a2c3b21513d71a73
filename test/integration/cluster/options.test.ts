import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/broker.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

function cli(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
      cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

// Issue 15: the options; a node that cannot join is refused clearly.
describe('cluster options', () => {
  it('a malformed --cluster-nats URL is a usage error naming the option', async () => {
    const run = await cli(['--cluster-nats', 'http://x:4222', '--management-port', 'off', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--cluster-nats');
    expect(run.stderr).toContain('nats://host:port');
  });

  it('an embedded broker whose nats-server does not answer rejects, naming the URL', async () => {
    await expect(startBroker({ port: 0, clusterNats: ['nats://127.0.0.1:1'] })).rejects.toThrow(/cannot reach a nats-server at nats:\/\/127\.0\.0\.1:1/);
  });

  it('without clusterNats a broker starts as before', async () => {
    const broker = await startBroker({ port: 0 });
    await broker.close();
  });
});
