/**
 * Preloaded into a broker process by bench/paging-stalls.ts (`node --import tsx --import
 * ./bench/support/loop-delay-probe.ts src/cli.ts ...`): measures the event loop's delay with
 * perf_hooks and answers the parent over IPC ('reset' starts a new window, 'report' sends it).
 * Works with any checkout's src/cli.ts, so before/after runs use the same probe.
 * Also reports what a loaded machine distorts less than delays: the process's CPU time and its
 * garbage collections (count, total and longest pause, and the major ones among them), and the
 * longest stall as main-thread CPU time (stallCpuMs, stall-cpu.ts).
 */
import { monitorEventLoopDelay, PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { startStallCpu } from './stall-cpu.js';

const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();
const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
const gc = { count: 0, totalMs: 0, maxMs: 0, major: 0, majorMs: 0 };
let cpuAtReset = process.cpuUsage();
/** The longest stall as the main thread's CPU time (stall-cpu.ts), since the last reset. */
let stallCpu = startStallCpu();
new PerformanceObserver((list) => {
  for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.major++;
      gc.majorMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (msg: unknown) => {
  if (msg === 'reset') {
    histogram.reset();
    Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0, major: 0, majorMs: 0 });
    cpuAtReset = process.cpuUsage();
    stallCpu();
    stallCpu = startStallCpu();
  }
  if (msg === 'report') {
    const stalls = stallCpu; // reported once: a report ends the window, as for the delays
    stallCpu = startStallCpu();
    const cpu = process.cpuUsage(cpuAtReset);
    const round = (n: number): number => Math.round(n * 10) / 10;
    process.send?.({
      max: ms(histogram.max),
      p99: ms(histogram.percentile(99)),
      p50: ms(histogram.percentile(50)),
      mean: ms(histogram.mean),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      stallCpuMs: stalls().maxCpuMs,
      gc: { count: gc.count, totalMs: round(gc.totalMs), maxMs: round(gc.maxMs), major: gc.major, majorMs: round(gc.majorMs) },
    });
  }
});
// The IPC channel must not keep a broker alive that was asked to stop.
process.channel?.unref();
