import { describe, expect, it } from 'vitest';
import { writeBodyFrames, writeHeaderFrame } from '../../../src/protocol/content-header.js';
import { ClassId } from '../../../src/protocol/constants.js';
import { Writer } from '../../../src/protocol/writer.js';

/**
 * A writer made with `referAbove` keeps large bodies by reference: the bytes that go out are the same as
 * a copying writer's, in the same order, but the body chunks are the caller's own buffers.
 */
function sameMemory(a: Buffer, b: Buffer): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

function writeMessages(w: Writer, bodies: Buffer[], frameMax: number): void {
  for (const body of bodies) {
    const start = w.beginFrame(1, 3);
    w.u32(0x003c003c); // basic.deliver's class and method ids, then a made-up payload
    w.shortstr('ctag');
    w.endFrame(start);
    writeHeaderFrame(w, 3, ClassId.basic, body.length, Buffer.from([0x10, 0x00, 0x02]));
    writeBodyFrames(w, 3, body, frameMax);
  }
}

describe('Writer with referenced bodies', () => {
  const large = Buffer.alloc(5000, 0xab);
  const small = Buffer.alloc(200, 0x11);
  const second = Buffer.alloc(3000, 0x22);

  it('writes the same bytes as a copying writer, with large bodies as the caller’s buffers', () => {
    const copying = new Writer(64);
    const referring = new Writer(64, 1000);
    writeMessages(copying, [large, small, second], 2008);
    writeMessages(referring, [large, small, second], 2008);
    expect(referring.referencedBytes).toBe(large.length + second.length);
    expect(referring.length).toBe(copying.pos);
    const chunks = referring.takeChunks();
    expect(Buffer.concat(chunks)).toEqual(copying.take());
    // 5000 bytes in frames of 2000: three views into `large`, then `second` in two.
    const referenced = chunks.filter((c) => c.buffer === large.buffer || c.buffer === second.buffer);
    expect(referenced.map((c) => c.length)).toEqual([2000, 2000, 1000, 2000, 1000]);
    expect(sameMemory(referenced[0] as Buffer, large.subarray(0, 2000))).toBe(true);
    expect(sameMemory(referenced[4] as Buffer, second.subarray(2000))).toBe(true);
    // Reset: the next batch starts empty.
    expect(referring.length).toBe(0);
    expect(referring.takeChunks()).toEqual([]);
  });

  it('copies bodies below the threshold', () => {
    const w = new Writer(64, 1000);
    writeMessages(w, [small], 0);
    expect(w.referencedBytes).toBe(0);
    expect(w.takeChunks()).toHaveLength(1);
  });

  it('a whole body under frameMax is referenced as is', () => {
    const w = new Writer(64, 1000);
    writeBodyFrames(w, 1, large, 0);
    const chunks = w.takeChunks();
    expect(chunks).toHaveLength(3); // frame header, body, frame end
    expect(chunks[1]).toBe(large);
  });

  it('take() joins referenced bodies into one buffer', () => {
    const copying = new Writer(64);
    const referring = new Writer(64, 1000);
    writeMessages(copying, [large, second], 4096);
    writeMessages(referring, [large, second], 4096);
    expect(referring.take()).toEqual(copying.take());
    expect(referring.referencedBytes).toBe(0);
  });

  it('rollback drops the bodies referenced after the mark and keeps the ones before', () => {
    const w = new Writer(64, 1000);
    writeMessages(w, [large], 0);
    const mark = w.pos;
    writeMessages(w, [second], 0);
    w.rollback(mark);
    expect(w.referencedBytes).toBe(large.length);
    const copying = new Writer(64);
    writeMessages(copying, [large], 0);
    expect(Buffer.concat(w.takeChunks())).toEqual(copying.take());
  });
});
