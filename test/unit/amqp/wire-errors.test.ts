import { describe, expect, it } from 'vitest';
import { writeMethodFrame } from '../../../src/amqp/wire-errors.js';
import { Writer } from '../../../src/protocol/writer.js';

/**
 * A method that cannot be encoded (a reply text or name over 255 bytes, a table value out of
 * range) leaves nothing in the outbound writer: the frames before it stay whole and nothing half
 * written follows them onto the wire.
 */
describe('writeMethodFrame', () => {
  it('rolls the writer back when a method cannot be encoded', () => {
    const w = new Writer(64);
    writeMethodFrame(w, 1, { name: 'basic.qos-ok' });
    const before = Buffer.from(w.buf.subarray(0, w.pos));
    expect(() => writeMethodFrame(w, 1, { name: 'basic.consume-ok', consumerTag: 'x'.repeat(300) })).toThrow(RangeError);
    expect(w.pos).toBe(before.length);
    expect(Buffer.from(w.buf.subarray(0, w.pos))).toEqual(before);
    // The writer is still usable: the next frame follows the last whole one.
    writeMethodFrame(w, 1, { name: 'basic.recover-ok' });
    expect(w.pos).toBeGreaterThan(before.length);
    expect(w.buf[w.pos - 1]).toBe(0xce);
  });
});
