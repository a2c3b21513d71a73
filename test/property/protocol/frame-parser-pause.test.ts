// Property tests of FrameParser.pause()/resume(): pausing at random frames and resuming at random
// points (between pushes, with pushes arriving while paused, or from inside the sink) yields exactly the
// frames of an unpaused parse, and a paused parser keeps at most the rest of one chunk.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser } from '../../../src/protocol/frame-parser.js';
import { Recorder, loadFrameFixtures, parseSplit, type FrameEvent } from '../../unit/protocol/frame-recorder.js';

const PLAIN = loadFrameFixtures().filter((f) => !f.expectProtocolHeader);
const FRAME_MAX = Math.min(...PLAIN.map((f) => f.frameMax));

/** Pauses itself after the events whose index is in `pauseAt`; resumes at once for those in `resumeInside`. */
class PausingRecorder extends Recorder {
  parser!: FrameParser;
  constructor(
    private readonly pauseAt: ReadonlySet<number>,
    private readonly resumeInside: ReadonlySet<number>,
  ) {
    super();
  }
  private after(): void {
    const i = this.events.length - 1;
    if (!this.pauseAt.has(i)) return;
    this.parser.pause();
    if (this.resumeInside.has(i)) this.parser.resume();
  }
  override onMethod(...a: Parameters<Recorder['onMethod']>): void {
    super.onMethod(...a);
    this.after();
  }
  override onContentHeader(...a: Parameters<Recorder['onContentHeader']>): void {
    super.onContentHeader(...a);
    this.after();
  }
  override onBody(...a: Parameters<Recorder['onBody']>): void {
    super.onBody(...a);
    this.after();
  }
  override onHeartbeat(...a: Parameters<Recorder['onHeartbeat']>): void {
    super.onHeartbeat(...a);
    this.after();
  }
}

function chunksOf(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p === prev) continue;
    out.push(Buffer.from(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

describe('FrameParser pause/resume', () => {
  it('random pause and resume points give the same frame sequence as an unpaused parse', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PLAIN), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.array(fc.nat({ max: 60 }), { maxLength: 30 }),
        fc.array(fc.nat({ max: 60 }), { maxLength: 10 }),
        // Per chunk: resume before pushing it (0), push it while still paused (1), resume twice (2).
        fc.array(fc.nat({ max: 2 }), { maxLength: 30 }),
        (picked, rawCuts, pauseAt, resumeInside, resumeModes) => {
          const bytes = Buffer.concat(picked.map((f) => Buffer.from(f.hex, 'hex')));
          const expected = parseSplit(bytes, [], { frameMax: FRAME_MAX });
          const sink = new PausingRecorder(new Set(pauseAt), new Set(resumeInside));
          const parser = new FrameParser(sink, { frameMax: FRAME_MAX });
          sink.parser = parser;
          const chunks = chunksOf(bytes, rawCuts);
          let pushedWhilePaused = 0;
          for (const [i, chunk] of chunks.entries()) {
            const mode = resumeModes[i] ?? 0;
            if (parser.paused && mode !== 1) {
              expect(parser.resume()).toBeUndefined();
              if (mode === 2) parser.resume();
            }
            if (parser.paused) pushedWhilePaused += chunk.length;
            // Without pushes while paused, what a paused parser keeps is the rest of one chunk at most.
            if (pushedWhilePaused === 0) expect(parser.retainedBytes).toBeLessThanOrEqual(chunk.length);
            expect(parser.push(chunk)).toBeUndefined();
            if (pushedWhilePaused === 0) expect(parser.retainedBytes).toBeLessThanOrEqual(chunk.length);
          }
          for (let guard = 0; parser.paused && guard < 1000; guard++) expect(parser.resume()).toBeUndefined();
          expect(parser.paused).toBe(false);
          expect(parser.retainedBytes).toBe(0);
          expect(sink.events).toEqual(expected.events);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('while paused nothing is dispatched; the events so far are a prefix of the whole parse', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PLAIN), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat({ max: 20 }),
        (picked, rawCuts, pauseAfter) => {
          const bytes = Buffer.concat(picked.map((f) => Buffer.from(f.hex, 'hex')));
          const expected: FrameEvent[] = parseSplit(bytes, [], { frameMax: FRAME_MAX }).events;
          const sink = new PausingRecorder(new Set([pauseAfter]), new Set());
          const parser = new FrameParser(sink, { frameMax: FRAME_MAX });
          sink.parser = parser;
          for (const chunk of chunksOf(bytes, rawCuts)) parser.push(chunk);
          const seen = sink.events.length;
          expect(seen).toBe(Math.min(expected.length, pauseAfter + 1));
          expect(sink.events).toEqual(expected.slice(0, seen));
          parser.resume();
          expect(sink.events).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
