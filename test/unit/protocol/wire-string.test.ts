import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { decodeTable, encodeTable } from '../../../src/protocol/field-table.js';
import { wireBytes, wireString } from '../../../src/util/wire-string.js';

function shortstrRoundTrip(bytes: Buffer): Buffer {
  const frame = Buffer.concat([Buffer.from([bytes.length]), bytes]);
  const s = new Reader(frame).shortstr();
  const w = new Writer(16);
  w.shortstr(s);
  return w.take().subarray(1);
}

describe('short strings that are not UTF-8', () => {
  it('255 bytes of 0xFF read and write back as the same 255 bytes (was: RangeError, 765 bytes)', () => {
    const bytes = Buffer.alloc(255, 0xff);
    expect(shortstrRoundTrip(bytes)).toEqual(bytes);
  });

  it('any byte string round-trips through shortstr, a table key and a longstr value exactly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 255 }), (raw) => {
        const bytes = Buffer.from(raw);
        expect(shortstrRoundTrip(bytes)).toEqual(bytes);
        const s = wireString(bytes);
        expect(wireBytes(s)).toEqual(bytes);
        const table = Buffer.concat([u32(bytes.length + 1 + 1 + 4 + bytes.length), Buffer.from([bytes.length]), bytes, Buffer.from('S'), u32(bytes.length), bytes]);
        expect(encodeTable(decodeTable(table))).toEqual(table);
      }),
      { numRuns: 2000 },
    );
  });

  it('valid UTF-8 decodes as usual, without lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        const bytes = Buffer.from(text, 'utf8');
        fc.pre(bytes.length <= 255);
        const s = new Reader(Buffer.concat([Buffer.from([bytes.length]), bytes])).shortstr();
        expect(s).toBe(text);
      }),
    );
  });

  it('encoded surrogates (ED A0 80) and overlongs (C0 AF) are invalid UTF-8 and stay bytes', () => {
    for (const bytes of [Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xe2, 0x82])]) {
      expect(shortstrRoundTrip(bytes)).toEqual(bytes);
    }
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

describe('u64 timestamps beyond 2^53', () => {
  it('a table timestamp 0xFFFF_FFFF_FFFF_FFFF decodes to a bigint and encodes to the same bytes (was: RangeError)', () => {
    const entry = Buffer.concat([Buffer.from([1]), Buffer.from('t'), Buffer.from('T'), Buffer.alloc(8, 0xff)]);
    const table = Buffer.concat([u32(entry.length), entry]);
    const decoded = decodeTable(table);
    expect(decoded['t']).toEqual({ type: 'timestamp', value: 2n ** 64n - 1n });
    expect(encodeTable(decoded)).toEqual(table);
  });

  it('timestamps up to 2^53 stay numbers; out-of-range values are refused when encoding', () => {
    const table = Buffer.concat([u32(11), Buffer.from([1]), Buffer.from('t'), Buffer.from('T'), Buffer.from([0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]);
    expect(decodeTable(table)['t']).toEqual({ type: 'timestamp', value: Number.MAX_SAFE_INTEGER });
    expect(() => encodeTable({ t: { type: 'timestamp', value: 2n ** 64n } })).toThrow(RangeError);
    expect(() => encodeTable({ t: { type: 'timestamp', value: -1n } })).toThrow(RangeError);
  });
});
