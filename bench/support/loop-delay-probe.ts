/**
 * Preloaded into a broker process by bench/paging-stalls.ts (`node --import tsx --import
 * ./bench/support/loop-delay-probe.ts src/cli.ts ...`): measures the event loop's delay with
 * perf_hooks and answers the parent over IPC ('reset' starts a new window, 'report' sends it).
 * Works with any checkout's src/cli.ts, so before/after runs use the same probe.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const ms = (ns: number): number => Math.round(ns / 1e4) / 100;

process.on('message', (msg: unknown) => {
  if (msg === 'reset') histogram.reset();
  if (msg === 'report') {
    process.send?.({ max: ms(histogram.max), p99: ms(histogram.percentile(99)), p50: ms(histogram.percentile(50)), mean: ms(histogram.mean) });
  }
});
// The IPC channel must not keep a broker alive that was asked to stop.
process.channel?.unref();
