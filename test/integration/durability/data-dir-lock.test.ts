import amqp from 'amqplib';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type Broker } from '../../../src/index.js';
import { silentLogger } from '../../../src/util/logger.js';
import { startWarrenProcess } from '../../helpers/process.js';
import { getAllBodies } from '../../helpers/amqp.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'warren-lock-it-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const start = (dir = dataDir): Promise<Broker> => startBroker({ port: 0, bind: ['127.0.0.1'], dataDir: dir, logger: silentLogger() });

async function publish(url: string, queue: string, bodies: string[]): Promise<void> {
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: true });
  for (const b of bodies) ch.sendToQueue(queue, Buffer.from(b), { persistent: true });
  await ch.waitForConfirms();
  await conn.close();
}

const drain = (url: string, queue: string): Promise<string[]> => getAllBodies(url, queue);

/** Runs the CLI to its end: a broker that cannot start exits on its own. */
async function runToExit(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--bind', '127.0.0.1', '--management-port', 'off', '--prometheus-port', 'off', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WARREN_'))),
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, output };
}

describe('one broker per data directory', () => {
  it('a second embedded broker in the same process fails before touching anything, naming the directory and the pid', async () => {
    const first = await start();
    try {
      await publish(first.url, 'before', ['b1']);
      const defs = join(dataDir, 'definitions.log');
      const before = { bytes: readFileSync(defs), ino: statSync(defs).ino };
      const err = await start().then(
        (b) => b.close().then(() => undefined),
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: 'StartupError', kind: 'data-dir', exitCode: 3 });
      expect((err as Error).message).toContain(dataDir);
      expect((err as Error).message).toContain(`pid ${process.pid}`);
      // Untouched: the running broker's descriptor still points at the live file.
      expect(statSync(defs).ino).toBe(before.ino);
      expect(readFileSync(defs).equals(before.bytes)).toBe(true);
      await publish(first.url, 'after', ['a1']);
    } finally {
      await first.close();
    }
    const again = await start();
    try {
      expect(await drain(again.url, 'before')).toEqual(['b1']);
      expect(await drain(again.url, 'after')).toEqual(['a1']);
    } finally {
      await again.close();
    }
  });

  it('closing a broker frees the directory for the next one', async () => {
    await (await start()).close();
    await (await start()).close();
  });

  it('a data directory that is a file, or under a file, is refused with exit code 3 and its path', async () => {
    const file = join(dataDir, 'plain-file');
    writeFileSync(file, 'x');
    for (const dir of [file, join(file, 'sub')]) {
      const err = (await start(dir).catch((e: unknown) => e)) as Error & { kind: string };
      expect(err).toMatchObject({ name: 'StartupError', kind: 'data-dir', exitCode: 3 });
      expect(err.message).toContain(dir);
      expect(err.message).toMatch(/not a directory|is a file/);
    }
  });

  it('a file in it that cannot be used (definitions.log is a directory) is a data-directory problem: exit code 3, the path named', async () => {
    mkdirSync(join(dataDir, 'definitions.log'));
    const err = (await start().catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ name: 'StartupError', kind: 'data-dir', exitCode: 3 });
    expect(err.message).toContain(join(dataDir, 'definitions.log'));
    expect(existsSync(join(dataDir, 'warren.lock'))).toBe(false);
  });

  it('two processes: the second exits with 3 naming the holder; after kill -9 of the first the next one takes the stale lock over and recovers', async () => {
    const first = await startWarrenProcess(['--data-dir', dataDir]);
    try {
      await publish(first.url, 'q', ['m1']);
      // As `npm start` twice: same port too. It must stop at the lock, not at EADDRINUSE after recovering.
      const second = await runToExit(['--data-dir', dataDir, '--port', String(first.port)]);
      expect(second.code).toBe(3);
      expect(second.output).toContain(dataDir);
      expect(second.output).toContain(`pid ${first.child.pid}`);
      await publish(first.url, 'q2', ['m2']);
    } finally {
      await first.kill('SIGKILL');
    }
    const next = await startWarrenProcess(['--data-dir', dataDir]);
    try {
      const takeOver = next.logs.find((l) => l['event'] === 'data-dir.lock-taken-over');
      expect(takeOver).toMatchObject({ previous: { pid: first.child.pid } });
      expect(String(takeOver?.['msg'])).toContain(`pid ${first.child.pid}`);
      expect(await drain(next.url, 'q')).toEqual(['m1']);
      expect(await drain(next.url, 'q2')).toEqual(['m2']);
    } finally {
      await next.kill('SIGTERM');
    }
  }, 60_000);
});

describe('a refused start-up, as a process', () => {
  it('a definitions log of a newer format: exit code 5, the file named, nothing changed; --force-recovery starts and quarantines it', async () => {
    const broker = await start();
    await publish(broker.url, 'q', ['m1']);
    await broker.close();
    const defs = join(dataDir, 'definitions.log');
    const bytes = readFileSync(defs);
    bytes.writeUInt16BE(2, 4);
    writeFileSync(defs, bytes);
    const refused = await runToExit(['--data-dir', dataDir, '--port', '0']);
    expect(refused.code).toBe(5);
    expect(refused.output).toContain(defs);
    expect(refused.output).toContain('newer than the version 1');
    expect(readFileSync(defs).equals(bytes)).toBe(true);
    const forced = await startWarrenProcess(['--data-dir', dataDir, '--force-recovery']);
    try {
      expect(forced.logs.filter((l) => l['event'] === 'store.quarantined').map((l) => l['file'])).toContain(defs);
    } finally {
      await forced.kill('SIGTERM');
    }
  }, 60_000);
});
