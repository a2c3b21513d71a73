import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Without a nats-bridge parameter nothing of NATS is loaded: a child process records every module
 * it resolves (a module.register hook), starts a broker, then sets a bridge.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const HOOK = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes('/@nats-io/') || r.url.includes('/src/cluster/')) appendFileSync(process.env.LOADED_LOG, r.url + '\\n');
  return r;
}`;

describe('nats-bridge loading', () => {
  it('loads no NATS module until a nats-bridge parameter is set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-lazy-'));
    try {
      const log = join(dir, 'loaded.log');
      writeFileSync(log, '');
      const script = join(dir, 'child.mts');
      writeFileSync(
        script,
        `import { register } from 'node:module';
import { readFileSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const { startBroker } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'index.ts')).href)});
const { silentLogger } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'util', 'logger.ts')).href)});
const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], managementPort: 0, dataDir: ${JSON.stringify(join(dir, 'data'))}, logger: silentLogger() });
process.stdout.write('before:' + readFileSync(process.env.LOADED_LOG, 'utf8').split('\\n').filter(Boolean).length + '\\n');
const res = await broker.managementApp.inject({ method: 'PUT', url: '/api/parameters/nats-bridge/%2F/b', headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') }, payload: { value: { uri: 'nats://127.0.0.1:1', direction: 'to-nats', 'src-exchange': 'amq.topic' } } });
process.stdout.write('put:' + res.statusCode + '\\n');
await broker.close();
`,
      );
      const out = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, LOADED_LOG: log }, encoding: 'utf8', timeout: 30_000 });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0); // and it exits: a bridge whose NATS never answered holds no timer after close
      expect(out.stdout).toContain('before:0\n');
      expect(out.stdout).toContain('put:201\n');
      const loaded = readFileSync(log, 'utf8');
      expect(loaded).toContain('/@nats-io/transport-node/');
      expect(loaded).toContain('/src/cluster/bridge/bridge.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
