import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, bucketHigh, bucketLow, bucketOf, Histogram } from '../../../bench/perf/histogram.js';

/** Nearest rank over the exact values: the reference the histogram approximates. */
function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

describe('latency histogram', () => {
  it('gives exact nearest-rank percentiles for small integer values', () => {
    const h = new Histogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect(h.percentile(50)).toBe(50);
    expect(h.percentile(99)).toBe(99);
    expect(h.percentile(99.9)).toBe(100);
    expect(h.percentile(100)).toBe(100);
    expect(h.percentile(0)).toBe(1);
    expect(h.mean).toBe(50.5);
  });

  it('p99.9 of 1,000 values is the 999th smallest, of 10,000 the 9,990th', () => {
    const h = new Histogram();
    for (let v = 0; v < 1000; v++) h.record(v < 998 ? 10 : 120);
    expect(h.percentile(99.9)).toBe(120); // rank 999 is the first 120
    expect(h.percentile(99.8)).toBe(10); // rank 998
    const h2 = new Histogram();
    for (let v = 1; v <= 10000; v++) h2.record(v < 9990 ? 5 : 77);
    expect(h2.percentile(99.9)).toBe(77); // rank 9990
  });

  it('is within 1/64 of the exact percentile for any values up to minutes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 3e11, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(50, 90, 99, 99.9),
        (values, p) => {
          const h = new Histogram();
          for (const v of values) h.record(v);
          const exact = exactPercentile(values, p);
          expect(Math.abs(h.percentile(p) - exact)).toBeLessThanOrEqual(exact / 64 + 1);
        },
      ),
    );
  });

  it('puts every value inside its bucket, and buckets tile the range without gaps', () => {
    for (let i = 1; i < BUCKET_COUNT; i++) expect(bucketLow(i)).toBe(bucketHigh(i - 1));
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2 ** 41 - 1, noNaN: true }), (v) => {
        const i = bucketOf(v);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(BUCKET_COUNT);
        expect(bucketLow(i)).toBeLessThanOrEqual(Math.floor(v));
        expect(v).toBeLessThan(bucketHigh(i));
      }),
    );
    // Both sides of the 2^31 switch from integer tricks to log2 agree with the bucket bounds.
    for (const v of [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32, 2 ** 40 - 1]) {
      expect(bucketLow(bucketOf(v))).toBeLessThanOrEqual(v);
      expect(bucketHigh(bucketOf(v))).toBeGreaterThan(v);
    }
  });

  it('merges: the union of two histograms has the percentiles of all values', () => {
    const a = new Histogram();
    const b = new Histogram();
    for (let v = 1; v <= 50; v++) a.record(v);
    for (let v = 51; v <= 100; v++) b.record(v);
    const merged = Histogram.from(a.toJSON());
    merged.add(Histogram.from(b.toJSON()));
    expect(merged.count).toBe(100);
    expect(merged.percentile(50)).toBe(50);
    expect(merged.percentile(99)).toBe(99);
    expect(merged.min).toBe(1);
    expect(merged.max).toBe(100);
  });

  it('clamps reported percentiles to the exact min and max, and says NaN when empty', () => {
    const h = new Histogram();
    expect(h.percentile(50)).toBeNaN();
    h.record(1_000_003);
    expect(h.percentile(50)).toBe(1_000_003);
    expect(() => h.percentile(101)).toThrow(RangeError);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.percentile(99)).toBeNaN();
  });
});
