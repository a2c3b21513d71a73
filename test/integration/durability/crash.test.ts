import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCrashCycles } from '../../helpers/crash-cycles.js';

// CI runs 20 cycles; `npm run crash-test` runs 200 (CRASH_CYCLES overrides either).
const CYCLES = Number(process.env['CRASH_CYCLES'] ?? 20);

describe('kill -9 while publishing persistent messages in confirm mode', () => {
  it(`loses no confirmed message over ${CYCLES} crash cycles`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warren-crash-'));
    try {
      const report = await runCrashCycles(dataDir, CYCLES, (line) => {
        if (process.env['CRASH_VERBOSE'] !== undefined) console.log(line);
      });
      console.log(`crash cycles: ${JSON.stringify({ ...report, lost: report.lost.length, invented: report.invented.length })}`);
      expect(report.confirmed).toBeGreaterThan(CYCLES); // the test really published between kills
      expect(report.lost).toEqual([]);
      expect(report.invented).toEqual([]);
      expect(report.corrupt).toBe(0);
      expect(report.repeatsWithoutRedelivered).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 600_000);
});
