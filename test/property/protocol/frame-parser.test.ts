// Property tests of the frame parser: split-safety on real frames, and robustness on garbage and mutated
// frames. Run counts are bounded so the file takes a few seconds on CI: 100 random splits per fixture
// (8 fixtures), 300 fixture concatenations, 500 garbage inputs, 500 mutations, 200 allocation checks.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DecodeError } from '../../../src/protocol/errors.js';
import { FrameParser } from '../../../src/protocol/frame-parser.js';
import {
  Recorder,
  loadFrameFixtures,
  parseSplit,
  summarize,
  type ParseResult,
} from '../../unit/protocol/frame-recorder.js';

const FIXTURES = loadFrameFixtures();
const PLAIN = FIXTURES.filter((f) => !f.expectProtocolHeader);

function cutsArb(length: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: length }), { maxLength: 12 });
}

/** Outcome checks every input must satisfy: frames and at most one DecodeError, never a throw. */
function expectWellBehaved(result: ParseResult): void {
  if (result.error !== undefined) expect(result.error).toBeInstanceOf(DecodeError);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FrameParser is split-safe on real frames', () => {
  for (const f of FIXTURES) {
    const bytes = Buffer.from(f.hex, 'hex');
    const whole = parseSplit(bytes, [], f);

    it(`${f.name}: whole, byte by byte and at random cuts give the same frames`, () => {
      expect(whole.error).toBeUndefined();
      expect(summarize(whole.events)).toEqual(f.events);

      const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
      const byByte = parseSplit(bytes, everyByte, f);
      expect(byByte.error).toBeUndefined();
      expect(byByte.events).toEqual(whole.events);

      fc.assert(
        fc.property(cutsArb(bytes.length), (cuts) => {
          const split = parseSplit(bytes, cuts, f);
          expect(split.error).toBeUndefined();
          expect(split.events).toEqual(whole.events);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('any sequence of fixtures, concatenated and cut anywhere, gives the concatenated frames', () => {
    const frameMax = Math.min(...PLAIN.map((f) => f.frameMax));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PLAIN), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (picked, rawCuts) => {
          const bytes = Buffer.concat(picked.map((f) => Buffer.from(f.hex, 'hex')));
          const result = parseSplit(
            bytes,
            rawCuts.map((c) => c % (bytes.length + 1)),
            { frameMax },
          );
          expect(result.error).toBeUndefined();
          expect(summarize(result.events)).toEqual(picked.flatMap((f) => f.events));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('FrameParser on bad input', () => {
  it('random garbage ends in frames and/or one DecodeError, never a throw', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 10 }),
        (garbage, expectProtocolHeader, rawCuts) => {
          const bytes = Buffer.from(garbage);
          const result = parseSplit(
            bytes,
            rawCuts.map((c) => c % (bytes.length + 1)),
            { frameMax: 4096, expectProtocolHeader },
          );
          expectWellBehaved(result);
          // Garbage rarely forms frames; when it does, each costs at least 8 bytes.
          expect(result.events.length).toBeLessThanOrEqual(bytes.length / 8 + 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  type Mutation =
    | { kind: 'flip'; at: number; xor: number }
    | { kind: 'truncate'; at: number }
    | { kind: 'extend'; tail: Uint8Array }
    | { kind: 'huge-size'; frameIndex: number; size: number };

  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('extend' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({
      kind: fc.constant('huge-size' as const),
      frameIndex: fc.nat(),
      size: fc.oneof(fc.constant(0xffffffff), fc.integer({ min: 0, max: 0xffffffff })),
    }),
  );

  /** Offsets where each frame starts (after a protocol header, if any). */
  function frameStarts(bytes: Buffer, from: number): number[] {
    const starts: number[] = [];
    for (let p = from; p + 7 <= bytes.length; p += bytes.readUInt32BE(p + 3) + 8) starts.push(p);
    return starts;
  }

  function mutate(bytes: Buffer, m: Mutation, headerLen: number): Buffer {
    const out = Buffer.from(bytes);
    switch (m.kind) {
      case 'flip': {
        const at = m.at % out.length;
        out[at] = out[at]! ^ m.xor;
        return out;
      }
      case 'truncate':
        return out.subarray(0, m.at % out.length);
      case 'extend':
        return Buffer.concat([out, m.tail]);
      case 'huge-size': {
        const starts = frameStarts(bytes, headerLen);
        out.writeUInt32BE(m.size, starts[m.frameIndex % starts.length]! + 3);
        return out;
      }
    }
  }

  it('mutated valid frames (flipped, truncated, extended, huge sizes) never throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (f, mutations, rawCuts) => {
          let bytes: Buffer = Buffer.from(f.hex, 'hex');
          const headerLen = f.expectProtocolHeader ? 8 : 0;
          for (const m of mutations) if (bytes.length > headerLen + 7) bytes = mutate(bytes, m, headerLen);
          const result = parseSplit(
            bytes,
            rawCuts.map((c) => c % (bytes.length + 1)),
            f,
          );
          expectWellBehaved(result);
          expect(result.events.length).toBeLessThanOrEqual(f.events.length + bytes.length / 8 + 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('after an error, later pushes return the same error and dispatch nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
        const sink = new Recorder();
        const parser = new FrameParser(sink, { frameMax: 4096 });
        const first = parser.push(Buffer.from(a));
        if (first === undefined) return;
        const count = sink.events.length;
        expect(parser.push(Buffer.from(b))).toBe(first);
        expect(parser.failed).toBe(first);
        expect(sink.events.length).toBe(count);
      }),
      { numRuns: 200 },
    );
  });
});

describe('FrameParser memory bounds', () => {
  it('a header declaring 2^32 - 1 bytes fails frame-too-large without allocating', () => {
    const junk = Buffer.alloc(1 << 20);
    const alloc = vi.spyOn(Buffer, 'alloc');
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const allocUnsafeSlow = vi.spyOn(Buffer, 'allocUnsafeSlow');
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 131072 });
    const head = Buffer.from([3, 0, 1, 0xff, 0xff, 0xff, 0xff]);
    const err = parser.push(head);
    expect(err?.kind).toBe('frame-too-large');
    expect(parser.push(junk)).toBe(err);
    for (const spy of [alloc, allocUnsafe, allocUnsafeSlow]) {
      for (const [size] of spy.mock.calls) expect(size).toBeLessThan(131072);
    }
    expect(allocUnsafe).not.toHaveBeenCalled();
  });

  it('a frame split across chunks never makes the parser allocate more than one frame (frameMax - 7)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom(1, 3),
        (size, firstChunk, type) => {
          const frameMax = 4096;
          const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
          const head = Buffer.alloc(7);
          head[0] = type;
          head.writeUInt32BE(size, 3);
          const parser = new FrameParser(new Recorder(), { frameMax });
          parser.push(Buffer.concat([head, Buffer.alloc(firstChunk)]));
          const sizes = allocUnsafe.mock.calls.map(([n]) => n);
          allocUnsafe.mockRestore();
          for (const n of sizes) expect(n).toBeLessThanOrEqual(frameMax - 7);
          if (size > frameMax - 8) expect(parser.failed?.kind).toBe('frame-too-large');
        },
      ),
      { numRuns: 200 },
    );
  });
});
