import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { distStaleness } from '../../helpers/dist.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const bin = (name: string): string => `${root}node_modules/.bin/${name}`;

/**
 * The README's warren/testing examples, run as a user runs them: against the built package, by its
 * name, each by its own runner (never by this suite's vitest config, which includes only test/).
 */
describe('warren/testing examples', () => {
  it('node:test example passes', async () => {
    expect(distStaleness(root)).toBeUndefined();
    const { stdout } = await run(process.execPath, ['--test', 'examples/testing/node-test.test.mjs'], { cwd: root, timeout: 30_000 });
    expect(stdout).toMatch(/# pass 1/);
    expect(stdout).toMatch(/# fail 0/);
  });

  it('vitest example passes, with its own config', async () => {
    expect(distStaleness(root)).toBeUndefined();
    const { stdout } = await run(bin('vitest'), ['run', '--config', 'examples/testing/vitest.config.mjs', '--reporter', 'verbose'], {
      cwd: root,
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(stdout).toMatch(/an order is dead-lettered when its hour is up/);
    expect(stdout).toMatch(/Tests\s+1 passed \(1\)/);
  });

  it('jest example passes (ESM, with its own config)', async () => {
    expect(distStaleness(root)).toBeUndefined();
    const jest = `${root}node_modules/jest/bin/jest.js`;
    // jest reports on stderr.
    const { stderr } = await run(process.execPath, ['--experimental-vm-modules', jest, '--config', 'examples/testing/jest.config.mjs', '--ci'], { cwd: root, timeout: 60_000 });
    expect(stderr).toMatch(/an order is dead-lettered when its hour is up/);
    expect(stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  });

  it('mocha example passes', async () => {
    expect(distStaleness(root)).toBeUndefined();
    const { stdout } = await run(bin('mocha'), ['--timeout', '10000', 'examples/testing/mocha.test.mjs'], { cwd: root, timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    expect(stdout).toMatch(/1 passing/);
    expect(stdout).not.toMatch(/failing/);
  });
});
