import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { distStaleness } from '../../helpers/dist.js';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;

/** The README's warren/testing examples, run as a user runs them: against the built package, by its name. */
describe('warren/testing examples', () => {
  it('node:test example passes', async () => {
    expect(distStaleness(root)).toBeUndefined();
    const { stdout } = await run(process.execPath, ['--test', 'examples/testing/node-test.test.mjs'], { cwd: root, timeout: 30_000 });
    expect(stdout).toMatch(/# pass 1/);
    expect(stdout).toMatch(/# fail 0/);
  });
});
