/**
 * Runs every bench/*.bench.ts, or those whose file name contains one of the arguments:
 *   npm run bench              all
 *   npm run bench -- protocol  bench/protocol-*.bench.ts
 * Each file runs in its own Node process (through tsx), so one benchmark's JIT state and garbage do not
 * colour the next one.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

if (files.length === 0) {
  process.stderr.write(`no bench/*.bench.ts matches ${filters.join(', ')}\n`);
  process.exit(1);
}

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n# ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file), ...passThrough], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
