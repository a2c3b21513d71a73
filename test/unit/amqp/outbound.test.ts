import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Outbound } from '../../../src/amqp/outbound.js';
import { writeBodyFrames } from '../../../src/protocol/content-header.js';

/** A transport that records each gathered write (writev) and each single write, and never drains. */
function recordingTransport(): { socket: Duplex; writes: Buffer[][] } {
  const writes: Buffer[][] = [];
  const socket = new Duplex({
    highWaterMark: 1 << 30,
    read() {},
    write(chunk: Buffer, _encoding, done) {
      writes.push([chunk]);
      done();
    },
    writev(chunks, done) {
      writes.push(chunks.map((c) => c.chunk as Buffer));
      done();
    },
  });
  return { socket, writes };
}

describe('Outbound with large bodies', () => {
  it('counts referenced bodies as buffered and writes them uncopied in one gathered write', () => {
    const { socket, writes } = recordingTransport();
    const out = new Outbound(socket, () => {});
    const bodies: Buffer[] = [Buffer.alloc(64 * 1024, 1), Buffer.alloc(40 * 1024, 2)];
    const start = out.writer.beginFrame(1, 1);
    out.writer.u32(0x003c0050);
    out.writer.endFrame(start);
    for (const b of bodies) writeBodyFrames(out.writer, 1, b, 0);
    // The bound (checkBound) and the memory alarm see the bodies before they reach the socket.
    expect(out.buffered).toBeGreaterThan(104 * 1024);
    out.flush();
    expect(writes).toHaveLength(1);
    const chunks = writes[0] as Buffer[];
    expect(chunks.filter((c) => bodies.includes(c))).toEqual(bodies);
    const all = Buffer.concat(chunks);
    expect(all.length).toBe(12 + 2 * 8 + 104 * 1024);
    expect(out.bytesOut).toBe(all.length);
    expect(out.writer.length).toBe(0);
  });

  it('small frames go out as one buffer', () => {
    const { socket, writes } = recordingTransport();
    const out = new Outbound(socket, () => {});
    writeBodyFrames(out.writer, 1, Buffer.alloc(100, 1), 0);
    writeBodyFrames(out.writer, 1, Buffer.alloc(100, 2), 0);
    out.flush();
    expect(writes.map((w) => w.length)).toEqual([1]);
    expect((writes[0] as Buffer[])[0]?.length).toBe(216);
  });
});
