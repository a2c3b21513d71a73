/**
 * The longest stall as CPU time: on a shared machine a stall's wall-clock length is mostly other
 * processes' turns on the CPU (a 25 ms slice became 180 ms at load 7 on 2 cores), so event-loop
 * delay and round trips drift with the load. This meter ticks every millisecond on the event loop
 * and, between two ticks, reads how long the main thread was actually on a CPU (Linux schedstat,
 * nanoseconds, this thread only: worker threads and GC helpers are not counted). The most CPU time
 * between two ticks is what a quiet machine's loop max would be, near enough, and moves far less
 * with the load. Elsewhere (no /proc) it reports NaN.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface StallCpu {
  /** The most main-thread CPU time (ms) between two consecutive ticks. */
  readonly maxCpuMs: number;
  /** That stall's wall-clock length (ms). */
  readonly itsWallMs: number;
  /** The longest wall-clock gap between ticks (ms), as monitorEventLoopDelay's max sees it. */
  readonly maxWallMs: number;
}

/** Starts ticking; the returned function stops and reports. Measures the calling thread (the main one). */
export function startStallCpu(): () => StallCpu {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'r');
  } catch {
    fd = undefined;
  }
  const buf = Buffer.alloc(96);
  const cpuNs = (): number => {
    if (fd === undefined) return NaN;
    const n = readSync(fd, buf, 0, buf.length, 0);
    const end = buf.indexOf(32);
    return Number(buf.toString('latin1', 0, end < 0 || end > n ? n : end));
  };
  let maxCpu = 0;
  let itsWall = 0;
  let maxWall = 0;
  let lastCpu = cpuNs();
  let lastWall = performance.now();
  const tick = (): void => {
    const cpu = cpuNs();
    const wall = performance.now();
    const used = (cpu - lastCpu) / 1e6;
    if (used > maxCpu) {
      maxCpu = used;
      itsWall = wall - lastWall;
    }
    maxWall = Math.max(maxWall, wall - lastWall);
    lastCpu = cpu;
    lastWall = wall;
  };
  const timer = setInterval(tick, 1);
  timer.unref(); // a meter never keeps a process alive
  return () => {
    tick(); // a stall that ends just now counts too
    clearInterval(timer);
    if (fd !== undefined) closeSync(fd);
    const round = (n: number): number => Math.round(n * 10) / 10;
    return fd === undefined ? { maxCpuMs: NaN, itsWallMs: NaN, maxWallMs: round(maxWall) } : { maxCpuMs: round(maxCpu), itsWallMs: round(itsWall), maxWallMs: round(maxWall) };
  };
}
