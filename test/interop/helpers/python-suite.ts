import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Broker } from '../../../src/index.js';
import { eventually, openBroker } from '../../helpers/broker.js';
import { FIXTURES, parseResults, pythonEnv, run, warnMissing, type ProcessResult, type ScenarioResult } from './external.js';
import { SCENARIOS, scenarioTitle as title, type ScenarioId } from './scenarios.js';

export interface PythonSuite {
  readonly client: string;
  /** From findPython(); undefined skips the suite with an install hint. */
  readonly python: string | undefined;
  /** Debian packages that provide the client, for the hint. */
  readonly debianPackages: string;
  /** A script in fixtures/interop/ taking the broker URL as its only argument. */
  readonly script: string;
}

/**
 * Runs a fixtures/interop script once against a fresh broker and turns each JSON result line into
 * a test, so every scenario of a Python client passes or fails on its own.
 */
export function pythonScenarios(suite: PythonSuite): void {
  if (suite.python === undefined) warnMissing(suite.client, suite.debianPackages);
  describe.skipIf(suite.python === undefined)(`${suite.client}: scenarios`, () => {
    let broker: Broker;
    let closeBroker: () => Promise<void>;
    let proc: ProcessResult;
    let results: Map<number, ScenarioResult>;

    beforeAll(async () => {
      ({ broker, close: closeBroker } = await openBroker());
      proc = await run(suite.python as string, [join(FIXTURES, suite.script), broker.url], {
        env: pythonEnv(),
        timeoutMs: 90_000,
      });
      results = parseResults(proc.stdout);
    }, 100_000);
    afterAll(async () => closeBroker());

    for (const { id } of SCENARIOS) {
      it(title(id), async () => {
        const r = results.get(id);
        expect(r, `no result line for scenario ${id}; exit ${proc.code}; stderr:\n${proc.stderr}`).toBeDefined();
        expect(r?.status, r?.detail).toBe('ok');
        if (id === (10 satisfies ScenarioId)) await eventually(() => broker.connectionCount() === 0);
      });
    }
  });
}
