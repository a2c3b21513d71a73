/**
 * The per-queue lines kept between scrapes must come out exactly as if every line were encoded afresh,
 * whatever changed since the last scrape: a property test over sequences of scrapes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeptFamily } from '../../../../src/http/prometheus/kept-family.js';
import { LineEncoder } from '../../../../src/http/prometheus/line-encoder.js';

const NAME = 'rabbitmq_queue_messages_ready';

function fresh(labels: readonly Uint8Array[], values: Float64Array, count: number): string {
  const enc = new LineEncoder();
  const head = LineEncoder.prefix(NAME);
  for (let i = 0; i < count; i++) enc.line(head, labels[i] as Uint8Array, new Uint8Array(0), values[i] as number);
  return Buffer.from(enc.written()).toString('latin1');
}

const value = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 2 ** 40 }), fc.double({ noNaN: false }));

describe('KeptFamily', () => {
  it('writes what a fresh encoding writes, scrape after scrape, with few or many values changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.array(fc.array(fc.tuple(fc.nat(), value), { maxLength: 80 }), { minLength: 1, maxLength: 8 }),
        (count, scrapes) => {
          const labels = Array.from({ length: count }, (_, i) => Buffer.from(`vhost="/",queue="q${'x'.repeat(i % 7)}${i}"`, 'latin1'));
          // The caller's columns are reused Float64Arrays, longer than the queue count.
          const values = new Float64Array(count + 16);
          const kept = new KeptFamily(NAME, new Uint8Array(0));
          for (const changes of scrapes) {
            for (const [at, v] of changes) if (count > 0) values[at % count] = v;
            const got = Buffer.from(kept.lines(labels, values, count)).toString('latin1');
            expect(got).toBe(fresh(labels, values, count));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
