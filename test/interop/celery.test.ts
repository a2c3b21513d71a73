import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../src/index.js';
import { eventually, openBroker } from '../helpers/broker.js';
import { FIXTURES, findPython, pythonEnv, run, warnMissing } from './helpers/external.js';

const python = findPython(['celery', 'kombu']);
if (python === undefined) warnMissing('celery', 'python3-celery');

/**
 * A Celery worker (a subprocess running fixtures/interop/celery_app.py) executes a task that a
 * Celery client sends, both pointed at Warren. Results travel back over the rpc:// backend.
 */
describe.skipIf(python === undefined)('celery: worker and client', () => {
  let broker: Broker;
  let closeBroker: () => Promise<void>;
  let worker: ChildProcess | undefined;
  let workerLog = '';

  beforeAll(async () => {
    ({ broker, close: closeBroker } = await openBroker());
    worker = spawn(python as string, ['-m', 'celery', '-A', 'celery_app', 'worker', '--pool=solo', '--loglevel=INFO'], {
      cwd: FIXTURES,
      env: pythonEnv({ WARREN_URL: broker.url }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout?.setEncoding('utf8').on('data', (d: string) => (workerLog += d));
    worker.stderr?.setEncoding('utf8').on('data', (d: string) => (workerLog += d));
    await eventually(() => / ready\.$/m.test(workerLog), 30_000, 'the Celery worker did not become ready');
  }, 40_000);

  afterAll(async () => {
    if (worker !== undefined && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker.kill('SIGTERM'); // warm shutdown
      await exited;
    }
    await closeBroker();
  }, 20_000);

  it('add.delay(2, 3) returns 5 over rpc://, and the worker log shows it succeeded', async () => {
    const client = await run(python as string, ['celery_client.py'], {
      cwd: FIXTURES,
      env: pythonEnv({ WARREN_URL: broker.url }),
      timeoutMs: 40_000,
    });
    const line = client.stdout.split('\n').find((l) => l.startsWith('{'));
    expect(line, client.stderr).toBeDefined();
    const outcome = JSON.parse(line as string) as { task_id: string; status: string; result?: number; detail?: string };
    expect(outcome.status, outcome.detail).toBe('ok');
    expect(outcome.result).toBe(5);
    await eventually(() => workerLog.includes(`Task celery_app.add[${outcome.task_id}] succeeded`), 5000);
    expect(workerLog).toMatch(new RegExp(`Task celery_app\\.add\\[${outcome.task_id}\\] succeeded in [0-9.e-]+s: 5`));
    expect(workerLog).not.toMatch(/ERROR\/|CRITICAL\//);
  });

  it('the worker shuts down cleanly (warm shutdown, exit 0)', async () => {
    const w = worker as ChildProcess;
    const exited = new Promise<number | null>((resolve) => w.once('exit', (code) => resolve(code)));
    w.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(workerLog).toMatch(/Warm shutdown/);
    await eventually(() => broker.connectionCount() === 0);
  });
});
