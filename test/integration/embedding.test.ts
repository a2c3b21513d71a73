import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../src/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { distStaleness } from '../helpers/dist.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

const scratch = mkdtempSync(join(tmpdir(), 'warren-embed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The test runner's own WARREN_* variables must not reach the child. */
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('WARREN_')));

/** Runs an ESM script that imports the library from source as `warren`; returns its stdout and stderr. */
async function embedded(body: string): Promise<{ stdout: string; stderr: string }> {
  const file = join(scratch, `embed-${Math.random().toString(36).slice(2)}.mjs`);
  const index = pathToFileURL(join(ROOT, 'src', 'index.ts')).href;
  writeFileSync(file, `import { startBroker } from ${JSON.stringify(index)};\n${body}\n`);
  return run(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: childEnv, timeout: 30_000 });
}

/** The tests of the built package fail at once, saying why, when dist/ is older than src/. */
function requireFreshDist(): void {
  beforeAll(() => {
    const stale = distStaleness(ROOT);
    if (stale !== undefined) throw new Error(stale);
  }, 120_000); // transpiling every file, when dist/ is older than a checkout, takes a while on a busy machine
}

// The package as users import it: `import { startBroker } from 'warren'` resolves through
// package.json "exports" to the compiled dist/ (built by `npm install`'s prepare step).
describe("import { startBroker } from 'warren'", () => {
  requireFreshDist();

  it('starts a broker on an ephemeral port, serves a client, and closes', async () => {
    const { startBroker } = await import('warren');
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-embed-'));
    const broker = await startBroker({ port: 0, dataDir, logLevel: 'silent' });
    try {
      expect(broker.url).toMatch(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+$/);
      expect(broker.port).toBeGreaterThan(0);
      const conn = await amqp.connect(broker.url);
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true });
      ch.sendToQueue(queue, Buffer.from('embedded'));
      await ch.checkQueue(queue);
      const m = await ch.get(queue, { noAck: true });
      expect(m && m.content.toString()).toBe('embedded');
      await conn.close();
    } finally {
      await broker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('embedded defaults that fit test suites', () => {
  it('logs nothing below warn unless asked; an explicit logLevel wins', async () => {
    const quiet = await embedded(`const b = await startBroker({ port: 0, bind: ['127.0.0.1'] }); await b.close();`);
    expect(quiet).toEqual({ stdout: '', stderr: '' });
    const asked = await embedded(`const b = await startBroker({ port: 0, bind: ['127.0.0.1'], logLevel: 'info' }); await b.close();`);
    const events = asked.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event?: string }).event);
    expect(events).toContain('broker.listening');
    expect(events).toContain('broker.stopped');
  });

  it('without dataDir, each broker gets a private temporary directory, removed on close()', async () => {
    const a = await startBroker({ port: 0, bind: ['127.0.0.1'], logger: silentLogger() });
    const b = await startBroker({ port: 0, bind: ['127.0.0.1'], logger: silentLogger() });
    const dirs = [a.config.dataDir, b.config.dataDir];
    try {
      expect(dirs[0]).not.toBe(dirs[1]);
      for (const dir of dirs) {
        expect(dir.startsWith(normalize(tmpdir()))).toBe(true);
        expect(existsSync(join(dir, 'definitions.log'))).toBe(true);
      }
      // A durable queue in one is not in the other: they share no files.
      const conn = await amqp.connect(a.url);
      const inA = await conn.createChannel();
      await inA.assertQueue('only-in-a', { durable: true });
      await inA.checkQueue('only-in-a');
      await conn.close();
      const other = await amqp.connect(b.url);
      const ch = await other.createChannel();
      ch.on('error', () => undefined);
      await expect(ch.checkQueue('only-in-a')).rejects.toThrow(/NOT_FOUND/);
      await other.close();
    } finally {
      await a.close();
      await b.close();
    }
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
  });

  it("tells clients the package's version in connection.start (read when the broker starts, not at import)", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], logger: silentLogger() });
    try {
      const conn = await amqp.connect(broker.url);
      const props = (conn.connection as unknown as { serverProperties: Record<string, unknown> }).serverProperties;
      expect(props['product']).toBe('Warren');
      expect(props['version']).toBe(version);
      await conn.close();
    } finally {
      await broker.close();
    }
  });

  it('an explicit dataDir is kept after close()', async () => {
    const dataDir = join(scratch, 'kept');
    const broker = await startBroker({ port: 0, bind: ['127.0.0.1'], dataDir, logger: silentLogger() });
    await broker.close();
    expect(existsSync(join(dataDir, 'definitions.log'))).toBe(true);
  });
});

describe('the package as installed', () => {
  requireFreshDist();

  it("require('warren') works from CommonJS and starts and stops a broker", async () => {
    const project = join(scratch, 'cjs-user');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(project, 'node_modules', 'warren'), 'dir');
    writeFileSync(
      join(project, 'index.cjs'),
      [
        "const { startBroker } = require('warren');",
        "startBroker({ port: 0, bind: ['127.0.0.1'] }).then(async (broker) => {",
        '  console.log(broker.url);',
        '  await broker.close();',
        "  console.log('closed');",
        '});',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['index.cjs'], { cwd: project, env: childEnv, timeout: 30_000 });
    expect(stdout).toMatch(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+\nclosed\n$/);
  });

  it('ships each source map with the sources it points at, and the MIT LICENSE', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env: childEnv });
    const files = new Set((JSON.parse(stdout) as [{ files: { path: string }[] }])[0].files.map((f) => f.path));
    const maps = [...files].filter((path) => path.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(ROOT, map), 'utf8')) as { sources: string[] };
      for (const source of sources) expect(files, `${map} -> ${source}`).toContain(normalize(join(dirname(map), source)));
    }
    expect(files).toContain('LICENSE');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
  });

  // Slow (a clone, an npm ci from the registry or its cache, a build): `npm run test:install`.
  it.skipIf(process.env['TEST_NPM_CI'] !== '1')(
    'npm ci --omit=dev in a fresh clone builds it, and the broker starts and serves',
    async () => {
      const clone = join(scratch, 'clone');
      // The last commit, as a user gets it.
      await run('git', ['clone', '--quiet', ROOT, clone]);
      await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: clone, env: childEnv, timeout: 240_000 });
      expect(existsSync(join(clone, 'node_modules', 'vitest'))).toBe(false);
      const script = [
        "import { startBroker } from 'warren';",
        "const broker = await startBroker({ port: 0, bind: ['127.0.0.1'] });",
        'console.log(broker.port);',
        'await broker.close();',
      ].join('\n');
      writeFileSync(join(clone, 'smoke.mjs'), script);
      const { stdout } = await run(process.execPath, ['smoke.mjs'], { cwd: clone, env: childEnv, timeout: 30_000 });
      expect(Number(stdout.trim())).toBeGreaterThan(0);
      const version = await run(process.execPath, ['dist/src/cli.js', '--version'], { cwd: clone, env: childEnv });
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    },
    300_000,
  );
});
