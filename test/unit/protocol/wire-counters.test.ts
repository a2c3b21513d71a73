import { describe, expect, it } from 'vitest';
import { writeBodyFrames, writeHeaderFrame } from '../../../src/protocol/content-header.js';
import { FrameParser } from '../../../src/protocol/frame-parser.js';
import { encodeMethodFrame } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { Recorder } from './frame-recorder.js';

/** The byte and frame counters the read model shows per connection (bytesIn, framesIn, framesOut). */
function publishFrames(w: Writer, body: Buffer, frameMax: number): void {
  encodeMethodFrame(w, 1, { name: 'basic.publish', ticket: 0, exchange: '', routingKey: 'q', mandatory: false, immediate: false });
  writeHeaderFrame(w, 1, 60, body.length, Buffer.from([0, 0]));
  writeBodyFrames(w, 1, body, frameMax);
}

describe('wire counters', () => {
  it('a writer counts every frame it completes: methods, content headers and each body frame', () => {
    const w = new Writer(64);
    publishFrames(w, Buffer.alloc(250), 108); // 250 bytes at 100 per body frame: 3 body frames
    expect(w.frames).toBe(5);
    w.take();
    publishFrames(w, Buffer.alloc(0), 108); // an empty body has no body frame
    expect(w.frames).toBe(7);
  });

  it('a parser counts bytes once per chunk and frames once each, also across a pause and resume', () => {
    const w = new Writer(64);
    publishFrames(w, Buffer.alloc(250), 108);
    publishFrames(w, Buffer.alloc(10), 108);
    const bytes = w.take();
    let paused = false;
    const sink = new Recorder();
    const parser: FrameParser = new FrameParser(
      {
        onProtocolHeader: () => sink.onProtocolHeader(),
        onMethod: (ch, m) => {
          sink.onMethod(ch, m);
          if (!paused) {
            paused = true;
            parser.pause(); // the rest of the chunk is kept, then parsed again by resume()
          }
        },
        onContentHeader: (ch, c, size, p) => sink.onContentHeader(ch, c, size, p),
        onBody: (ch, b) => sink.onBody(ch, b),
        onHeartbeat: (ch) => sink.onHeartbeat(ch),
      },
      { frameMax: 108 },
    );
    const half = Math.floor(bytes.length / 2);
    parser.push(bytes.subarray(0, half));
    expect(parser.framesIn).toBe(1);
    parser.push(bytes.subarray(half)); // while paused: kept
    expect(parser.resume()).toBeUndefined();
    expect(parser.bytesIn).toBe(bytes.length);
    expect(parser.framesIn).toBe(8);
  });
});
