/**
 * A fixed-bucket histogram for hot paths: observe() is a few compares and two typed-array adds, about 20 ns
 * on a loaded 2-core machine against a 3-5 ns empty loop, one scavenge in 50 million calls (no
 * allocation, no label lookup). Counts are per bucket, not cumulative; the exposition (src/http/prometheus)
 * adds them up into Prometheus's cumulative `le` buckets when scraped. Values are plain numbers (bytes,
 * seconds): Float64Array holds integer counts exactly up to 2^53.
 */
export class BucketHistogram {
  /** Upper bounds, ascending; an implicit +Inf bucket follows. */
  readonly bounds: readonly number[];
  /** The same in a typed array: observe() read a frozen array at ~50 ns a call, this at a few. */
  private readonly limits: Float64Array;
  /** counts[i]: observations <= bounds[i] and > bounds[i-1]; counts[bounds.length]: above the last bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = Object.freeze([...bounds]);
    this.counts = new Float64Array(bounds.length + 1);
    this.limits = Float64Array.from(bounds);
  }

  observe(value: number): void {
    const limits = this.limits;
    const n = limits.length;
    let i = 0;
    while (i < n && value > (limits[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** rabbitmq_message_size_bytes's buckets (rabbit_msg_size_metrics): 100 B to 100 MB, then +Inf. */
export const MESSAGE_SIZE_BUCKETS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 50_000_000, 100_000_000] as const;

/** Seconds, for fsync latency: 100 µs to 10 s. */
export const LATENCY_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10] as const;
