/**
 * A fixed-size log-linear latency histogram (HdrHistogram's layout, simplified): values below 128 ns
 * get one bucket each, above that every power of two is split into 64 linear buckets, so any
 * recorded value is known to within 1/64 (1.6 %) of itself. 2,304 buckets cover 0 ns to ~18 minutes;
 * recording is a few arithmetic ops and one array increment, never an allocation.
 */

const LINEAR = 128;
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64 buckets per power of two above LINEAR
const MIN_EXP = 7; // 2^7 = LINEAR
const MAX_EXP = 40; // 2^40 ns ≈ 18 min
export const BUCKET_COUNT = LINEAR + (MAX_EXP - MIN_EXP + 1) * SUB;
const MAX_VALUE = 2 ** (MAX_EXP + 1) - 1;

/** The bucket a value (ns, >= 0) falls in. */
export function bucketOf(value: number): number {
  if (!(value > 0)) return 0;
  if (value < LINEAR) return Math.floor(value);
  // Below 2^31 (2.1 s) integer bit tricks; Math.log2 and powers cost several times more in profiles.
  if (value < 2147483648) {
    const v = value | 0;
    const exp = 31 - Math.clz32(v);
    return LINEAR + (exp - MIN_EXP) * SUB + ((v >>> (exp - SUB_BITS)) - SUB);
  }
  const v = value > MAX_VALUE ? MAX_VALUE : value;
  let exp = Math.floor(Math.log2(v));
  // log2 of a double near a power of two can land one off; the mantissa check puts it right.
  let m = Math.floor(v / 2 ** (exp - SUB_BITS));
  if (m >= 2 * SUB) {
    exp++;
    m = Math.floor(v / 2 ** (exp - SUB_BITS));
  } else if (m < SUB) {
    exp--;
    m = Math.floor(v / 2 ** (exp - SUB_BITS));
  }
  return LINEAR + (exp - MIN_EXP) * SUB + (m - SUB);
}

/** Lowest value of a bucket. */
export function bucketLow(index: number): number {
  if (index < LINEAR) return index;
  const i = index - LINEAR;
  const exp = MIN_EXP + Math.floor(i / SUB);
  const m = SUB + (i % SUB);
  return m * 2 ** (exp - SUB_BITS);
}

/** One past the highest value of a bucket. */
export function bucketHigh(index: number): number {
  if (index < LINEAR) return index + 1;
  const i = index - LINEAR;
  const exp = MIN_EXP + Math.floor(i / SUB);
  return bucketLow(index) + 2 ** (exp - SUB_BITS);
}

export class Histogram {
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = 0;

  constructor(counts?: Float64Array) {
    this.counts = counts ?? new Float64Array(BUCKET_COUNT);
  }

  record(value: number): void {
    const i = bucketOf(value);
    this.counts[i] = (this.counts[i] as number) + 1;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  add(other: Histogram): void {
    const a = this.counts;
    const b = other.counts;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      const n = b[i] as number;
      if (n !== 0) a[i] = (a[i] as number) + n;
    }
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = 0;
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /**
   * The nearest-rank percentile (the smallest recorded value with at least p % of the values at or below
   * it), reported as the midpoint of its bucket clamped to the exact min and max. NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${p}`);
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) {
        const mid = i < LINEAR ? i : (bucketLow(i) + bucketHigh(i)) / 2;
        return Math.min(this.max, Math.max(this.min, mid));
      }
    }
    return this.max;
  }

  /** A plain copy that survives postMessage. */
  toJSON(): HistogramData {
    return { counts: this.counts.slice(), count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  static from(data: HistogramData): Histogram {
    const h = new Histogram(Float64Array.from(data.counts));
    h.count = data.count;
    h.sum = data.sum;
    h.min = data.min;
    h.max = data.max;
    return h;
  }
}

export interface HistogramData {
  readonly counts: readonly number[] | Float64Array;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}
