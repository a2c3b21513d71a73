/**
 * A fixed-bucket histogram for hot paths: observe() is a few compares and two typed-array adds (no
 * allocation, no label lookup). Counts are per bucket, not cumulative; the exposition (src/http/prometheus)
 * adds them up into Prometheus's cumulative `le` buckets when scraped. Values are plain numbers (bytes,
 * seconds): Float64Array holds integer counts exactly up to 2^53.
 */
export class BucketHistogram {
  /** Upper bounds, ascending; an implicit +Inf bucket follows. */
  readonly bounds: readonly number[];
  /** counts[i]: observations <= bounds[i] and > bounds[i-1]; counts[bounds.length]: above the last bound. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = Object.freeze([...bounds]);
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

/** rabbitmq_message_size_bytes's buckets (rabbit_msg_size_metrics): 100 B to 100 MB, then +Inf. */
export const MESSAGE_SIZE_BUCKETS = [100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 50_000_000, 100_000_000] as const;

/** Seconds, for fsync latency: 100 µs to 10 s. */
export const LATENCY_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10] as const;
