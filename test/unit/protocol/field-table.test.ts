import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/protocol/errors.js';
import {
  MAX_FIELD_DEPTH,
  asBool,
  asNumber,
  asString,
  decodeTable,
  encodeTable,
  fieldValuesEqual,
  fromJs,
  readFieldValue,
  tableFromJs,
  tableToJs,
  tablesEqual,
  toJs,
  writeFieldValue,
  type FieldTable,
  type FieldValue,
} from '../../../src/protocol/field-table.js';
import { Reader } from '../../../src/protocol/reader.js';
import { Writer } from '../../../src/protocol/writer.js';
import { amqplibCodec, amqplibEncodeTable } from './amqplib-internals.js';
import { fieldTableArb } from './arbitraries.js';

/** One of each value type, with values at awkward edges. */
const EVERY_TYPE: FieldTable = {
  bool: { type: 'bool', value: true },
  int8: { type: 'int8', value: -128 },
  uint8: { type: 'uint8', value: 255 },
  int16: { type: 'int16', value: -32768 },
  uint16: { type: 'uint16', value: 65535 },
  int32: { type: 'int32', value: -2147483648 },
  uint32: { type: 'uint32', value: 4294967295 },
  int64: { type: 'int64', value: -(2n ** 63n) },
  int64safe: { type: 'int64', value: 1 },
  float: { type: 'float', value: Math.fround(0.1) },
  double: { type: 'double', value: -0 },
  decimal: { type: 'decimal', value: { scale: 2, value: 12345 } },
  string: { type: 'string', value: 'héllo ✓' },
  bytes: { type: 'bytes', value: Buffer.from([0, 255, 7]) },
  timestamp: { type: 'timestamp', value: 1_700_000_000 },
  array: { type: 'array', value: [{ type: 'int32', value: 1 }, { type: 'void', value: null }] },
  table: { type: 'table', value: { inner: { type: 'string', value: 'x' } } },
  void: { type: 'void', value: null },
};

/** Bytes of a table holding one entry 'k' with the given tag and value bytes. */
function oneEntry(tag: string, value: number[]): Buffer {
  const entry = Buffer.from([1, 0x6b, tag.charCodeAt(0), ...value]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(entry.length);
  return Buffer.concat([size, entry]);
}

function decodeError(fn: () => unknown): DecodeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected a DecodeError');
}

/** A table nested `depth` deep: {a: {a: ... {}}}; depth 1 is the empty table. */
function nestedTableBytes(depth: number): Buffer {
  let inner = Buffer.from([0, 0, 0, 0]);
  for (let i = 1; i < depth; i++) {
    const entry = Buffer.concat([Buffer.from([1, 0x61, 0x46]), inner]);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(entry.length);
    inner = Buffer.concat([size, entry]);
  }
  return inner;
}

describe('field tables: round trips', () => {
  it('every value type round-trips with its type', () => {
    const back = decodeTable(encodeTable(EVERY_TYPE));
    expect(tablesEqual(back, EVERY_TYPE)).toBe(true);
    for (const key of Object.keys(EVERY_TYPE)) expect(back[key]!.type).toBe(EVERY_TYPE[key]!.type);
    expect(Object.is(back['double']!.value, -0)).toBe(true);
    expect(back['int64']!.value).toBe(-(2n ** 63n));
    expect(back['int64safe']!.value).toBe(1);
  });

  it('writes the RabbitMQ tags', () => {
    const tags = Object.values(EVERY_TYPE).map((v) => {
      const w = new Writer(64);
      writeFieldValue(w, v);
      return String.fromCharCode(w.take()[0]!);
    });
    expect(tags.join('')).toBe('tbBsuIillfdDSxTAFV');
  });

  it('random tables round-trip exactly (fast-check, 300 runs)', () => {
    fc.assert(
      fc.property(fieldTableArb, (t) => {
        const bytes = encodeTable(t);
        const back = decodeTable(bytes);
        expect(tablesEqual(back, t)).toBe(true);
        expect(encodeTable(back)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('readFieldValue and writeFieldValue work on a single value', () => {
    const w = new Writer(64);
    writeFieldValue(w, { type: 'uint16', value: 513 });
    const r = new Reader(w.take());
    expect(readFieldValue(r)).toEqual({ type: 'uint16', value: 513 });
    expect(r.remaining()).toBe(0);
  });
});

describe('field tables: decoding hand-built bytes', () => {
  const cases: [string, number[], FieldValue][] = [
    ['t', [1], { type: 'bool', value: true }],
    ['t', [0], { type: 'bool', value: false }],
    ['b', [0xff], { type: 'int8', value: -1 }],
    ['B', [0xff], { type: 'uint8', value: 255 }],
    ['s', [0xff, 0xfe], { type: 'int16', value: -2 }],
    ['u', [0xff, 0xfe], { type: 'uint16', value: 65534 }],
    ['I', [0xff, 0xff, 0xff, 0xff], { type: 'int32', value: -1 }],
    ['i', [0xff, 0xff, 0xff, 0xff], { type: 'uint32', value: 4294967295 }],
    ['l', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe], { type: 'int64', value: -2 }],
    ['l', [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], { type: 'int64', value: 2n ** 63n - 1n }],
    ['f', [0x3f, 0xc0, 0, 0], { type: 'float', value: 1.5 }],
    ['d', [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18], { type: 'double', value: Math.PI }],
    ['D', [3, 0, 0, 0x30, 0x39], { type: 'decimal', value: { scale: 3, value: 12345 } }],
    ['S', [0, 0, 0, 2, 0x68, 0x69], { type: 'string', value: 'hi' }],
    ['x', [0, 0, 0, 2, 0xde, 0xad], { type: 'bytes', value: Buffer.from([0xde, 0xad]) }],
    ['T', [0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00], { type: 'timestamp', value: 0x6553f100 }],
    ['V', [], { type: 'void', value: null }],
    ['A', [0, 0, 0, 3, 0x62, 0x05, 0x56], { type: 'array', value: [{ type: 'int8', value: 5 }, { type: 'void', value: null }] }],
  ];

  for (const [tag, bytes, expected] of cases) {
    it(`'${tag}' ${JSON.stringify(bytes)} decodes to ${expected.type}`, () => {
      const t = decodeTable(oneEntry(tag, bytes));
      expect(fieldValuesEqual(t['k']!, expected)).toBe(true);
    });
  }

  it("'F' decodes a nested table", () => {
    const inner = oneEntry('t', [1]);
    const t = decodeTable(oneEntry('F', [...inner]));
    const v = t['k']!;
    expect(v.type).toBe('table');
    expect(v.type === 'table' && v.value['k']).toEqual({ type: 'bool', value: true });
  });

  it('an unknown tag is bad-value (502)', () => {
    const err = decodeError(() => decodeTable(oneEntry('Z', [0])));
    expect(err.kind).toBe('bad-value');
    expect(err.replyCode).toBe(502);
  });

  it('a value running past the table size is truncated, even when the buffer goes on', () => {
    const bytes = Buffer.concat([oneEntry('I', [0, 0]), Buffer.from([0, 0, 0, 0])]);
    const r = new Reader(bytes);
    expect(decodeError(() => r.table()).kind).toBe('truncated');
  });

  it('a table size beyond the buffer is truncated', () => {
    expect(decodeError(() => decodeTable(Buffer.from([0, 0, 0, 9, 1]))).kind).toBe('truncated');
  });

  it('bytes after the table are bad-value for decodeTable', () => {
    expect(decodeError(() => decodeTable(Buffer.from([0, 0, 0, 0, 1]))).kind).toBe('bad-value');
  });

  it('a __proto__ key is an ordinary key of a null-prototype table', () => {
    const key = Buffer.from('__proto__');
    const entry = Buffer.concat([Buffer.from([key.length]), key, Buffer.from('F'), oneEntry('t', [1])]);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(entry.length);
    const t = decodeTable(Buffer.concat([size, entry]));
    expect(Object.getPrototypeOf(t)).toBeNull();
    expect(Object.keys(t)).toEqual(['__proto__']);
    expect(t['__proto__']!.type).toBe('table');
    expect(({} as Record<string, unknown>)['k']).toBeUndefined();
    expect(tablesEqual(decodeTable(encodeTable(t)), t)).toBe(true);
    expect(Object.getPrototypeOf(tableToJs(t))).toBeNull();
  });
});

describe('field tables: nesting depth', () => {
  it(`accepts ${MAX_FIELD_DEPTH} levels and rejects ${MAX_FIELD_DEPTH + 1} with too-deep`, () => {
    expect(() => decodeTable(nestedTableBytes(MAX_FIELD_DEPTH))).not.toThrow();
    const err = decodeError(() => decodeTable(nestedTableBytes(MAX_FIELD_DEPTH + 1)));
    expect(err.kind).toBe('too-deep');
    expect(err.replyCode).toBe(502);
  });

  it('arrays count towards the depth and 100k levels fail cleanly, not with a stack overflow', () => {
    const levels = 100_000;
    // 'A' arrays each holding the next one: [[[...]]]
    const body = Buffer.alloc(levels * 5 + 4);
    for (let i = 0; i < levels; i++) {
      body[i * 5] = 0x41;
      body.writeUInt32BE(body.length - i * 5 - 5, i * 5 + 1);
    }
    const t = Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.from([1, 0x6b]), body]);
    t.writeUInt32BE(t.length - 4, 0);
    expect(decodeError(() => decodeTable(t)).kind).toBe('too-deep');
  });

  it('writing a cyclic table throws RangeError instead of recursing forever', () => {
    const t = Object.create(null) as Record<string, FieldValue>;
    t['self'] = { type: 'table', value: t };
    expect(() => encodeTable(t)).toThrow(RangeError);
  });
});

describe('field tables: writing checks values', () => {
  const bad: FieldValue[] = [
    { type: 'int8', value: 128 },
    { type: 'uint8', value: -1 },
    { type: 'int16', value: 1.5 },
    { type: 'uint16', value: 65536 },
    { type: 'int32', value: 2 ** 31 },
    { type: 'uint32', value: 2 ** 32 },
    { type: 'int64', value: 2n ** 63n },
    { type: 'int64', value: 2 ** 63 },
    { type: 'decimal', value: { scale: 256, value: 1 } },
    { type: 'timestamp', value: -1 },
  ];
  for (const v of bad) {
    it(`${v.type} ${String(v.type === 'decimal' ? JSON.stringify(v.value) : v.value)} throws RangeError`, () => {
      expect(() => encodeTable({ k: v })).toThrow(RangeError);
    });
  }

  it('a key over 255 bytes throws RangeError', () => {
    expect(() => encodeTable({ ['k'.repeat(256)]: { type: 'void', value: null } })).toThrow(RangeError);
  });
});

describe('field tables: wire compatibility with amqplib', () => {
  it('amqplib decodes every tag Warren writes', () => {
    const decoded = amqplibCodec.decodeFields(encodeTable(EVERY_TYPE).subarray(4));
    expect(decoded).toEqual({
      bool: true,
      int8: -128,
      uint8: 255,
      int16: -32768,
      uint16: 65535,
      int32: -2147483648,
      uint32: 4294967295,
      int64: Number(-(2n ** 63n)),
      int64safe: 1,
      float: Math.fround(0.1),
      double: -0,
      decimal: { '!': 'decimal', value: { places: 2, digits: 12345 } },
      string: 'héllo ✓',
      bytes: Buffer.from([0, 255, 7]),
      timestamp: { '!': 'timestamp', value: 1_700_000_000 },
      array: [1, null],
      table: { inner: 'x' },
      void: null,
    });
  });

  it('Warren decodes what amqplib encodes, with amqplib types', () => {
    const t = decodeTable(
      amqplibEncodeTable({
        s: 'str',
        small: 5,
        medium: 1000,
        big: 100_000,
        huge: 2 ** 40,
        frac: 0.25,
        yes: false,
        nil: null,
        buf: Buffer.from('ab'),
        arr: ['a', 1],
        obj: { n: { '!': 'unsignedint', value: 7 } },
        ts: { '!': 'timestamp', value: 99 },
        dec: { '!': 'decimal', value: { places: 1, digits: 5 } },
        f: { '!': 'float', value: 2.5 },
        u16: { '!': 'uint16', value: 60000 },
        u8: { '!': 'uint8', value: 200 },
      }),
    );
    const expected: FieldTable = {
      s: { type: 'string', value: 'str' },
      small: { type: 'int8', value: 5 },
      medium: { type: 'int16', value: 1000 },
      big: { type: 'int32', value: 100_000 },
      huge: { type: 'int64', value: 2 ** 40 },
      frac: { type: 'double', value: 0.25 },
      yes: { type: 'bool', value: false },
      nil: { type: 'void', value: null },
      buf: { type: 'bytes', value: Buffer.from('ab') },
      arr: { type: 'array', value: [{ type: 'string', value: 'a' }, { type: 'int8', value: 1 }] },
      obj: { type: 'table', value: { n: { type: 'uint32', value: 7 } } },
      ts: { type: 'timestamp', value: 99 },
      dec: { type: 'decimal', value: { scale: 1, value: 5 } },
      f: { type: 'float', value: 2.5 },
      u16: { type: 'uint16', value: 60000 },
      u8: { type: 'uint8', value: 200 },
    };
    expect(tablesEqual(t, expected)).toBe(true);
  });
});

describe('field tables: equality and JS helpers', () => {
  it('tablesEqual is key-order-insensitive and type-strict', () => {
    const a: FieldTable = { x: { type: 'int32', value: 1 }, y: { type: 'string', value: 'a' } };
    const b: FieldTable = { y: { type: 'string', value: 'a' }, x: { type: 'int32', value: 1 } };
    expect(tablesEqual(a, b)).toBe(true);
    expect(tablesEqual(a, { ...b, x: { type: 'int64', value: 1 } })).toBe(false);
    expect(tablesEqual(a, { x: a['x']! })).toBe(false);
    expect(tablesEqual({ x: a['x']! }, a)).toBe(false);
    expect(fieldValuesEqual({ type: 'int64', value: 5 }, { type: 'int64', value: 5n })).toBe(true);
    expect(fieldValuesEqual({ type: 'double', value: Number.NaN }, { type: 'double', value: Number.NaN })).toBe(true);
    expect(fieldValuesEqual({ type: 'double', value: 0 }, { type: 'double', value: -0 })).toBe(false);
    expect(fieldValuesEqual({ type: 'bytes', value: Buffer.from('a') }, { type: 'bytes', value: Buffer.from('b') })).toBe(false);
  });

  it('fromJs picks the smallest signed integer type, double for fractions, and maps the other JS types', () => {
    expect(fromJs(127)).toEqual({ type: 'int8', value: 127 });
    expect(fromJs(-129)).toEqual({ type: 'int16', value: -129 });
    expect(fromJs(40000)).toEqual({ type: 'int32', value: 40000 });
    expect(fromJs(2 ** 40)).toEqual({ type: 'int64', value: 2 ** 40 });
    expect(fromJs(1.5)).toEqual({ type: 'double', value: 1.5 });
    expect(fromJs(1e300)).toEqual({ type: 'double', value: 1e300 });
    expect(fromJs(2n ** 62n)).toEqual({ type: 'int64', value: 2n ** 62n });
    expect(fromJs(7n)).toEqual({ type: 'int64', value: 7 });
    expect(fromJs('s')).toEqual({ type: 'string', value: 's' });
    expect(fromJs(true)).toEqual({ type: 'bool', value: true });
    expect(fromJs(null)).toEqual({ type: 'void', value: null });
    expect(fromJs(undefined)).toEqual({ type: 'void', value: null });
    expect(fromJs(Buffer.from('b'))).toEqual({ type: 'bytes', value: Buffer.from('b') });
    expect(fromJs(new Date(5_500))).toEqual({ type: 'timestamp', value: 5 });
    expect(fromJs([1, 'a'])).toEqual({ type: 'array', value: [{ type: 'int8', value: 1 }, { type: 'string', value: 'a' }] });
    expect(() => fromJs(() => 1)).toThrow(TypeError);
  });

  it('tableFromJs and tableToJs are inverse for plain values; undefined keys are skipped', () => {
    const plain = { a: 1, b: 'two', c: [true, null], d: { e: 2.5 }, gone: undefined };
    const t = tableFromJs(plain);
    expect(Object.keys(t)).toEqual(['a', 'b', 'c', 'd']);
    expect({ ...tableToJs(t) }).toEqual({ a: 1, b: 'two', c: [true, null], d: { e: 2.5 } });
    expect(toJs({ type: 'decimal', value: { scale: 2, value: 150 } })).toBe(1.5);
    expect(toJs({ type: 'timestamp', value: 3 })).toEqual(new Date(3000));
  });

  it('asNumber, asString and asBool read only matching types', () => {
    expect(asNumber({ type: 'uint16', value: 9 })).toBe(9);
    expect(asNumber({ type: 'int64', value: 2n ** 60n })).toBe(2 ** 60);
    expect(asNumber({ type: 'double', value: 0.5 })).toBe(0.5);
    expect(asNumber({ type: 'string', value: '9' })).toBeUndefined();
    expect(asNumber(undefined)).toBeUndefined();
    expect(asString({ type: 'string', value: 'q' })).toBe('q');
    expect(asString({ type: 'bytes', value: Buffer.from('q') })).toBe('q');
    expect(asString({ type: 'int8', value: 1 })).toBeUndefined();
    expect(asBool({ type: 'bool', value: false })).toBe(false);
    expect(asBool({ type: 'int8', value: 1 })).toBeUndefined();
  });
});
