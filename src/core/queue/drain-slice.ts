/**
 * How much one drain slice delivers before yielding to other sockets (setImmediate). Count and
 * bytes bound it (bench/event-loop-stalls.ts: 1M messages once went in one 5 s turn; 512 KiB, not
 * 4 MiB: during a 2 GiB drain an unrelated round trip went from p99 31 ms to 14 ms for 4% of drain
 * throughput, bench/paging-stalls.ts), and so does time: a delivery costs more with many consumers,
 * channels or expired entries to skip, so a slice also ends after SLICE_MS. The monotonic clock is
 * read once per CLOCK_EVERY messages, not per message.
 */
const SLICE_COUNT = 1_000;
const SLICE_BYTES = 512 * 1024;
const SLICE_MS = 3;
const CLOCK_EVERY = 32;

/** The clock reading a slice starts from. */
export function sliceStart(): number {
  return performance.now();
}

/** True once a slice that started at `started` has delivered count messages of bytes bytes and should yield. */
export function sliceOver(count: number, bytes: number, started: number): boolean {
  if (count >= SLICE_COUNT || bytes >= SLICE_BYTES) return true;
  return count % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() - started > SLICE_MS;
}
