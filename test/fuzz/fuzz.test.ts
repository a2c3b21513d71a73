import { beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess } from './broker-process.js';
import { generateCase } from './cases.js';
import { formatReport, runFuzz, type FuzzReport } from './fuzzer.js';
import { roundTrip } from './health.js';
import { serializeSteps } from './session.js';

/**
 * The CI run of the live-socket fuzzer: a few thousand mutated sessions against a broker child process,
 * with a fixed seed so a failure reproduces (`npm run fuzz -- --seed 20261201 --cases 2000`). Reproducers
 * of anything found are written to .scratch/fuzz-ci/.
 */

const SEED = 20261201;
const CASES = Number(process.env['FUZZ_CI_CASES'] ?? 2000);

let report: FuzzReport;

describe(`fuzzer, ${CASES} cases, seed ${SEED}`, () => {
  beforeAll(async () => {
    report = await runFuzz({ cases: CASES, seed: SEED, concurrency: 8, saveDir: '.scratch/fuzz-ci', isolateCrashes: false, maxFailures: 1 });
    console.log(formatReport(report));
  }, 150_000);

  it('the broker never crashes or hangs, and another client round-trips after every batch', () => {
    const described = (m: FuzzReport['crashes']): string[] => [...m].map(([sig, f]) => `${sig}\n${f.detail ?? ''}`);
    expect({ crashes: described(report.crashes), hangs: described(report.hangs) }).toEqual({ crashes: [], hangs: [] });
    expect(report.cases).toBe(CASES);
  });

  it('every broken connection is closed with a proper reply code: no 541, no corrupt frames, no silent drop', () => {
    expect([...report.findings.keys()]).toEqual([]);
  });
});

describe('fuzz cases', () => {
  it('are the same bytes for the same seed and index, so a finding reproduces from the pair', () => {
    for (const index of [0, 1, 17, 999]) {
      const a = generateCase(SEED, index);
      const b = generateCase(SEED, index);
      expect(serializeSteps(b.steps)).toEqual(serializeSteps(a.steps));
      expect(b.mutations).toEqual(a.mutations);
    }
    expect(serializeSteps(generateCase(SEED, 1).steps)).not.toEqual(serializeSteps(generateCase(SEED, 2).steps));
  });
});

describe('the hang check', () => {
  it('fails while the broker process is stopped (SIGSTOP) and passes again once it runs', async () => {
    const broker = await BrokerProcess.start();
    try {
      expect(await roundTrip(broker.port)).toBeUndefined();
      broker.child.kill('SIGSTOP');
      expect(await roundTrip(broker.port, 1000)).toMatch(/no round trip within 1000 ms/);
      broker.child.kill('SIGCONT');
      expect(await roundTrip(broker.port)).toBeUndefined();
    } finally {
      await broker.stop();
    }
  }, 60_000);
});
