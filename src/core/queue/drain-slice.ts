/**
 * How much one drain slice delivers before yielding to other sockets (setImmediate). Count and
 * bytes bound it (bench/event-loop-stalls.ts: 1M messages once went in one 5 s turn; 512 KiB, not
 * 4 MiB: during a 2 GiB drain an unrelated round trip went from p99 31 ms to 14 ms for 4% of drain
 * throughput, bench/paging-stalls.ts).
 *
 * Not time: a slice that also ended after 3 ms (or 10 ms) let a fast publisher outrun an auto-ack
 * consumer for good under load (perf scenario a: 12,821 received against 315,309 published a
 * second, where count and bytes alone keep up at 400,000), because every early yield hands the
 * publisher's socket another read before the consumer's next slice.
 */
const SLICE_COUNT = 1_000;
const SLICE_BYTES = 512 * 1024;

/** Whether a slice that has delivered count messages of bytes bytes must yield. */
export function sliceFull(count: number, bytes: number): boolean {
  return count >= SLICE_COUNT || bytes >= SLICE_BYTES;
}
