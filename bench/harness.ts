/**
 * A tiny benchmark harness: calibrates the iteration count to ~100 ms (which also warms up the JIT), then
 * times 5 runs and reports the median as ops/s and ns/op. `opsPerCall` lets one call stand for many
 * operations (a buffer of 10,000 frames parsed in one push reports per frame).
 */

export interface BenchOptions {
  /** Operations one call of fn performs (default 1). */
  readonly opsPerCall?: number;
  /** Fixed iterations per run; calibrated to `targetMs` when omitted. */
  readonly iterations?: number;
  readonly targetMs?: number;
  readonly runs?: number;
}

export interface BenchResult {
  readonly name: string;
  readonly opsPerSec: number;
  readonly nsPerOp: number;
  /** ns/op of every run, sorted. */
  readonly samples: readonly number[];
}

/** Assign results here so the JIT cannot drop the work as dead code. */
export const sink: { value: unknown } = { value: undefined };

function timeNs(fn: () => void, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start);
}

export function bench(name: string, fn: () => void, options: BenchOptions = {}): BenchResult {
  const opsPerCall = options.opsPerCall ?? 1;
  const runs = options.runs ?? 5;
  let iterations = options.iterations ?? 1;
  if (options.iterations === undefined) {
    const targetNs = (options.targetMs ?? 100) * 1e6;
    while (timeNs(fn, iterations) < targetNs / 2) iterations *= 2;
  } else {
    timeNs(fn, Math.max(1, Math.ceil(iterations / 4)));
  }
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) samples.push(timeNs(fn, iterations) / (iterations * opsPerCall));
  samples.sort((a, b) => a - b);
  const nsPerOp = samples[Math.floor(samples.length / 2)]!;
  const result = { name, opsPerSec: 1e9 / nsPerOp, nsPerOp, samples };
  printResult(result);
  return result;
}

function printResult(r: BenchResult): void {
  const spread = r.samples.length > 1 ? ((r.samples.at(-1)! - r.samples[0]!) / r.nsPerOp) * 100 : 0;
  const ops = Math.round(r.opsPerSec).toLocaleString('en-US').padStart(14);
  const ns = r.nsPerOp.toFixed(1).padStart(10);
  process.stdout.write(`${r.name.padEnd(58)} ${ops} ops/s ${ns} ns/op  (spread ${spread.toFixed(0)}%)\n`);
}

export function header(title: string): void {
  process.stdout.write(`\n## ${title}\n`);
}
