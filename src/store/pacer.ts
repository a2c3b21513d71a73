import { performance } from 'node:perf_hooks';

/** How long recovery may run before it lets the event loop turn (an embedder's timers, sockets). */
const SLICE_MS = 10;
/** Reading the clock for every record would cost more than the records; look every this many. */
const CHECK_EVERY = 256;

/**
 * Keeps long start-up work from holding the event loop: callers tick() once per unit of work and
 * await pause() when it says so. Time-based rather than count-based, because one record may be
 * 20 bytes or 100 MB.
 */
export class Pacer {
  private sliceStart = performance.now();
  private count = 0;

  tick(): boolean {
    if (++this.count < CHECK_EVERY) return false;
    this.count = 0;
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  /** Whether the slice is used up, looking at the clock now (for coarse units: a file, a queue). */
  due(): boolean {
    this.count = 0;
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  /** Yields to the event loop (after I/O callbacks and timers that are due). */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
    this.count = 0;
  }

  /** tick() and, when the slice is used up, pause(). */
  async step(): Promise<void> {
    if (this.tick()) await this.pause();
  }
}
