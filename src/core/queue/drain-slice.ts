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

/**
 * Whether a slice that has delivered count messages of bytes bytes goes on: returns the clock mark
 * to carry to the next call (start with 0), or -1 when the slice should yield. The clock is first
 * read at message CLOCK_EVERY, so a drain of a few messages (the common case) never reads it; the
 * time bound counts from there.
 */
export function sliceGoesOn(count: number, bytes: number, mark: number): number {
  if (count >= SLICE_COUNT || bytes >= SLICE_BYTES) return -1;
  if (count % CLOCK_EVERY !== CLOCK_EVERY - 1) return mark;
  const now = performance.now();
  if (mark === 0) return now;
  return now - mark > SLICE_MS ? -1 : mark;
}
