import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/protocol/errors.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';

function written(fn: (w: Writer) => void): Buffer {
  const w = new Writer(16);
  fn(w);
  return w.take();
}

function truncatedError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).kind).toBe('truncated');
    expect((err as DecodeError).replyCode).toBe(502);
    return err as DecodeError;
  }
  throw new Error('expected a truncated DecodeError');
}

describe('Writer and Reader round trips', () => {
  it('unsigned integers at their bounds, in network byte order', () => {
    const buf = written((w) => {
      w.u8(0);
      w.u8(255);
      w.u16(0x1234);
      w.u16(0xffff);
      w.u32(0x89abcdef);
      w.u32(0xffffffff);
      w.u64(Number.MAX_SAFE_INTEGER);
      w.u64(0);
    });
    const expected = Buffer.alloc(buf.length);
    let o = expected.writeUInt8(0, 0);
    o = expected.writeUInt8(255, o);
    o = expected.writeUInt16BE(0x1234, o);
    o = expected.writeUInt16BE(0xffff, o);
    o = expected.writeUInt32BE(0x89abcdef, o);
    o = expected.writeUInt32BE(0xffffffff, o);
    o = expected.writeBigUInt64BE(BigInt(Number.MAX_SAFE_INTEGER), o);
    expected.writeBigUInt64BE(0n, o);
    expect(buf).toEqual(expected);

    const r = new Reader(buf);
    expect([r.u8(), r.u8(), r.u16(), r.u16(), r.u32(), r.u32(), r.u64(), r.u64()]).toEqual([
      0, 255, 0x1234, 0xffff, 0x89abcdef, 0xffffffff, Number.MAX_SAFE_INTEGER, 0,
    ]);
    expect(r.remaining()).toBe(0);
  });

  it('u64 takes a bigint for values past 2^53 and reads them back as the nearest number', () => {
    const buf = written((w) => w.u64(2n ** 64n - 1n));
    expect(buf).toEqual(Buffer.alloc(8, 0xff));
    expect(new Reader(buf).u64()).toBe(2 ** 64);
  });

  it('signed integers at their bounds', () => {
    const buf = written((w) => {
      w.i8(-128);
      w.i8(127);
      w.i16(-32768);
      w.i16(32767);
      w.i32(-2147483648);
      w.i32(2147483647);
      w.i64(-1);
      w.i64(Number.MIN_SAFE_INTEGER);
      w.i64(-(2n ** 63n));
      w.i64(2n ** 63n - 1n);
    });
    const r = new Reader(buf);
    expect([r.i8(), r.i8(), r.i16(), r.i16(), r.i32(), r.i32()]).toEqual([
      -128, 127, -32768, 32767, -2147483648, 2147483647,
    ]);
    expect(r.i64()).toBe(-1);
    expect(r.i64()).toBe(Number.MIN_SAFE_INTEGER);
    expect(r.i64()).toBe(-(2n ** 63n));
    expect(r.i64()).toBe(2n ** 63n - 1n);
    expect(buf.readBigInt64BE(buf.length - 16)).toBe(-(2n ** 63n));
  });

  it('i64 of a number beyond 2^53 is split exactly', () => {
    const buf = written((w) => w.i64(-(2 ** 60)));
    expect(buf.readBigInt64BE(0)).toBe(-(2n ** 60n));
    expect(new Reader(buf).i64()).toBe(-(2n ** 60n));
  });

  it('floats and doubles, including NaN, infinities and -0', () => {
    const floats = [Math.fround(1.5), Math.fround(-3.25e-10), Number.NaN, Number.POSITIVE_INFINITY, -0];
    const doubles = [Math.PI, -1e300, Number.NaN, Number.NEGATIVE_INFINITY, -0, Number.MIN_VALUE];
    const buf = written((w) => {
      for (const f of floats) w.f32(f);
      for (const d of doubles) w.f64(d);
    });
    const r = new Reader(buf);
    for (const f of floats) expect(Object.is(r.f32(), f)).toBe(true);
    for (const d of doubles) expect(Object.is(r.f64(), d)).toBe(true);
  });

  it('shortstr: empty, ASCII, multi-byte UTF-8 and exactly 255 bytes', () => {
    const values = ['', 'amq.topic', 'héllo ✓ 😀 日本', 'x'.repeat(255), '✓'.repeat(85), 'a'.repeat(30) + 'é'];
    const buf = written((w) => {
      for (const v of values) w.shortstr(v);
    });
    const r = new Reader(buf);
    for (const v of values) expect(r.shortstr()).toBe(v);
    expect(buf[1 + 0]).toBe(9); // length byte of 'amq.topic' after the empty string's
  });

  it('shortstr over 255 bytes throws RangeError, whether counted in chars or in UTF-8 bytes', () => {
    const w = new Writer(16);
    expect(() => w.shortstr('x'.repeat(256))).toThrow(RangeError);
    expect(() => w.shortstr('✓'.repeat(86))).toThrow(RangeError);
    expect(w.pos).toBe(0);
  });

  it('longstr from a string and from a Buffer; reads return views', () => {
    const big = 'é'.repeat(5000);
    const buf = written((w) => {
      w.longstr('PLAIN AMQPLAIN');
      w.longstr(Buffer.from([0, 1, 2]));
      w.longstr(big);
      w.longstr('');
    });
    const r = new Reader(buf);
    expect(r.longstr().toString()).toBe('PLAIN AMQPLAIN');
    const view = r.longstr();
    expect([...view]).toEqual([0, 1, 2]);
    expect(view.buffer).toBe(buf.buffer);
    expect(r.longstr().toString()).toBe(big);
    expect(r.longstr().length).toBe(0);
  });

  it('longstrUtf8 decodes a longstr as text without a view', () => {
    const buf = written((w) => {
      w.longstr('größe ✓');
      w.longstr('');
    });
    const r = new Reader(buf);
    expect(r.longstrUtf8()).toBe('größe ✓');
    expect(r.longstrUtf8()).toBe('');
    truncatedError(() => new Reader(Buffer.from([0, 0, 0, 5, 0x61])).longstrUtf8());
  });

  it('bits and raw bytes', () => {
    const buf = written((w) => {
      w.u8(0b101);
      w.bytes(Buffer.from('raw'));
    });
    const r = new Reader(buf);
    expect(r.bits()).toBe(5);
    expect(r.bytes(3).toString()).toBe('raw');
  });
});

describe('Reader bounds', () => {
  it('every read on too few bytes throws truncated and leaves the cursor', () => {
    const reads: ((r: Reader) => unknown)[] = [
      (r) => r.u8(),
      (r) => r.u16(),
      (r) => r.u32(),
      (r) => r.u64(),
      (r) => r.i8(),
      (r) => r.i16(),
      (r) => r.i32(),
      (r) => r.i64(),
      (r) => r.f32(),
      (r) => r.f64(),
      (r) => r.bits(),
      (r) => r.shortstr(),
      (r) => r.longstr(),
      (r) => r.table(),
      (r) => r.bytes(1),
    ];
    for (const read of reads) {
      const r = new Reader(Buffer.alloc(0));
      truncatedError(() => read(r));
      expect(r.pos).toBe(0);
    }
    const three = new Reader(Buffer.alloc(3));
    truncatedError(() => three.u32());
    truncatedError(() => three.f32());
    expect(three.u16()).toBe(0);
  });

  it('a length field is checked against end before anything is sliced or allocated', () => {
    const huge = Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2]);
    const err = truncatedError(() => new Reader(huge).longstr());
    expect(err.message).toContain('4294967295');
    truncatedError(() => new Reader(Buffer.from([10, 0x61, 0x62])).shortstr());
    truncatedError(() => new Reader(huge).table());
  });

  it('respects the window given by offset and end', () => {
    const buf = Buffer.from([1, 2, 3, 4, 5, 6]);
    const r = new Reader(buf, 2, 4);
    expect(r.remaining()).toBe(2);
    expect(r.u8()).toBe(3);
    expect(r.u8()).toBe(4);
    truncatedError(() => r.u8());
    expect(() => new Reader(buf, 4, 7)).toThrow(RangeError);
    expect(() => new Reader(buf, 5, 4)).toThrow(RangeError);
  });
});

describe('Writer buffer management and framing', () => {
  it('grows by doubling and keeps what was written', () => {
    const w = new Writer(16);
    for (let i = 0; i < 1000; i++) w.u16(i);
    expect(w.buf.length).toBe(2048);
    const out = w.take();
    expect(out.length).toBe(2000);
    for (let i = 0; i < 1000; i++) expect(out.readUInt16BE(i * 2)).toBe(i);
  });

  it('ensure grows straight to a large request', () => {
    const w = new Writer(16);
    w.ensure(100_000);
    expect(w.buf.length).toBeGreaterThanOrEqual(100_000);
  });

  it('take copies out and resets; reset discards', () => {
    const w = new Writer(16);
    w.u32(7);
    const a = w.take();
    w.u32(8);
    expect(a.readUInt32BE(0)).toBe(7);
    w.reset();
    expect(w.pos).toBe(0);
    expect(w.take().length).toBe(0);
  });

  it('beginFrame/endFrame backpatch the size and append 0xCE, even across a grow', () => {
    const w = new Writer(16);
    w.u8(0xaa);
    const start = w.beginFrame(3, 0x0102);
    expect(start).toBe(1);
    w.bytes(Buffer.alloc(40, 7));
    w.endFrame(start);
    const out = w.take();
    expect(out.length).toBe(1 + 7 + 40 + 1);
    expect(out[1]).toBe(3);
    expect(out.readUInt16BE(2)).toBe(0x0102);
    expect(out.readUInt32BE(4)).toBe(40);
    expect(out[out.length - 1]).toBe(0xce);
  });
});

describe('decodeUtf8 interning', () => {
  it('returns equal strings for equal bytes, distinct ones for different bytes, even when cache slots collide', async () => {
    const { decodeUtf8 } = await import('../../../src/protocol/reader.js');
    const seen = new Map<string, string>();
    // Enough distinct short keys to force collisions in the 1,024-slot cache.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const text = `key.${i}.é${'x'.repeat(i % 40)}`;
        const bytes = Buffer.from(`--${text}--`);
        const got = decodeUtf8(bytes, 2, bytes.length - 2);
        expect(got).toBe(text);
        if (round === 0) seen.set(text, got);
      }
    }
    expect(decodeUtf8(Buffer.from([0xff, 0xfe]), 0, 2)).toBe('\udcff\udcfe');
    expect(decodeUtf8(Buffer.from('\ufffd'), 0, 3)).toBe('\ufffd'); // a real U+FFFD stays one
    expect(decodeUtf8(Buffer.alloc(0), 0, 0)).toBe('');
  });
});
