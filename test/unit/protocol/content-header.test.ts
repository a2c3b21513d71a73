import { describe, expect, it } from 'vitest';
import {
  PropertyFlag,
  decodeProperties,
  encodeProperties,
  encodePropertiesBuffer,
  propertyFlags,
  writeBodyFrames,
  writeHeaderFrame,
  type BasicProperties,
} from '../../../src/protocol/content-header.js';
import { DecodeError } from '../../../src/protocol/errors.js';
import { tableToJs, type FieldTable } from '../../../src/protocol/field-table.js';
import { Writer } from '../../../src/protocol/writer.js';
import { amqplibDefs } from './amqplib-internals.js';

const headers: FieldTable = {
  'x-trace': { type: 'string', value: 'abc' },
  'x-count': { type: 'int32', value: 3 },
};

const ALL: Required<BasicProperties> = {
  contentType: 'application/json',
  contentEncoding: 'gzip',
  headers,
  deliveryMode: 2,
  priority: 9,
  correlationId: 'corr-1',
  replyTo: 'amq.rabbitmq.reply-to',
  expiration: '60000',
  messageId: 'msg-1',
  timestamp: 1_700_000_000,
  type: 'order.created',
  userId: 'guest',
  appId: 'shop',
  clusterId: 'c1',
};

/** The flags+list bytes of an amqplib content-header frame (after the 7+12 header bytes, before 0xCE). */
function amqplibPropertyBytes(p: Record<string, unknown>): Buffer {
  const frame = amqplibDefs.encodeProperties(60, 1, 10, p);
  return frame.subarray(19, frame.length - 1);
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

describe('basic properties', () => {
  it('all 14 properties round-trip, flags from bit 15 down', () => {
    const bytes = encodePropertiesBuffer(ALL);
    expect(bytes.readUInt16BE(0)).toBe(0xfffc);
    expect(propertyFlags(bytes)).toBe(0xfffc);
    expect(decodeProperties(bytes)).toEqual(ALL);
  });

  it('no properties is a zero flags word and decodes to {}', () => {
    const bytes = encodePropertiesBuffer({});
    expect([...bytes]).toEqual([0, 0]);
    expect(decodeProperties(bytes)).toEqual({});
    expect(Object.keys(decodeProperties(bytes))).toEqual([]);
  });

  it('each property alone sets only its flag', () => {
    for (const key of Object.keys(ALL) as (keyof BasicProperties)[]) {
      const bytes = encodePropertiesBuffer({ [key]: ALL[key] });
      expect(bytes.readUInt16BE(0)).toBe(PropertyFlag[key]);
      expect(decodeProperties(bytes)).toEqual({ [key]: ALL[key] });
    }
  });

  it('null and undefined properties are left out', () => {
    const p = { contentType: undefined, messageId: null } as unknown as BasicProperties;
    expect([...encodePropertiesBuffer(p)]).toEqual([0, 0]);
  });

  it('encodeProperties appends to a writer in place', () => {
    const w = new Writer(16);
    w.u8(0xee);
    encodeProperties(w, { priority: 1 });
    expect([...w.take()]).toEqual([0xee, 0x08, 0x00, 1]);
  });

  it('skips continuation flag words', () => {
    // contentType + continuation bit, then a second flags word naming an unknown property (bit 15).
    const bytes = Buffer.from([0x80, 0x01, 0x80, 0x00, 2, 0x61, 0x62, 0xff, 0xff]);
    expect(decodeProperties(bytes)).toEqual({ contentType: 'ab' });
  });

  it('truncated property lists are DecodeErrors', () => {
    expect(decodeError(() => decodeProperties(Buffer.from([0x80]))).kind).toBe('truncated');
    expect(decodeError(() => decodeProperties(Buffer.from([0x80, 0x00, 5, 0x61]))).kind).toBe('truncated');
    expect(decodeError(() => decodeProperties(Buffer.from([0x00, 0x40, 0, 0]))).kind).toBe('truncated');
    expect(decodeError(() => decodeProperties(Buffer.from([0x80, 0x01]))).kind).toBe('truncated');
  });
});

describe('basic properties: wire compatibility with amqplib', () => {
  it('Warren decodes properties amqplib encoded', () => {
    const fromAmqplib = decodeProperties(
      amqplibPropertyBytes({ ...ALL, headers: { 'x-trace': 'abc', 'x-count': 3 } }),
    );
    const { headers: decodedHeaders, ...rest } = fromAmqplib;
    const { headers: _unused, ...expectedRest } = ALL;
    expect(rest).toEqual(expectedRest);
    expect({ ...tableToJs(decodedHeaders!) }).toEqual({ 'x-trace': 'abc', 'x-count': 3 });
    expect(decodeProperties(amqplibPropertyBytes({}))).toEqual({});
  });

  it('amqplib decodes properties Warren encoded', () => {
    const decoded = amqplibDefs.decode(60, encodePropertiesBuffer(ALL));
    expect(decoded).toEqual({ ...ALL, headers: { 'x-trace': 'abc', 'x-count': 3 } });
    expect(amqplibDefs.decode(60, encodePropertiesBuffer({ deliveryMode: 1 }))).toMatchObject({ deliveryMode: 1 });
  });

  it('writeHeaderFrame produces the same frame as amqplib from raw property bytes', () => {
    const p = { contentType: 'text/plain', deliveryMode: 2, headers: { a: 'b' } };
    const expected = amqplibDefs.encodeProperties(60, 5, 123456, p);
    const w = new Writer(16);
    writeHeaderFrame(w, 5, 60, 123456, amqplibPropertyBytes(p));
    expect(w.take()).toEqual(expected);
  });

  it('writeHeaderFrame writes body sizes past 2^32', () => {
    const w = new Writer(16);
    writeHeaderFrame(w, 1, 60, 2 ** 40 + 5, Buffer.from([0, 0]));
    const frame = w.take();
    expect(frame.readBigUInt64BE(11)).toBe(2n ** 40n + 5n);
    expect(frame.readUInt32BE(3)).toBe(14);
    expect(frame[frame.length - 1]).toBe(0xce);
  });
});

describe('body frames', () => {
  function frames(buf: Buffer): { channel: number; payload: Buffer }[] {
    const out: { channel: number; payload: Buffer }[] = [];
    for (let p = 0; p < buf.length; ) {
      expect(buf[p]).toBe(3);
      const size = buf.readUInt32BE(p + 3);
      expect(buf[p + 7 + size]).toBe(0xce);
      out.push({ channel: buf.readUInt16BE(p + 1), payload: buf.subarray(p + 7, p + 7 + size) });
      p += size + 8;
    }
    return out;
  }

  it('splits a body into frames of at most frameMax - 8 payload bytes', () => {
    const body = Buffer.from(Array.from({ length: 250 }, (_, i) => i));
    const w = new Writer(16);
    writeBodyFrames(w, 7, body, 108);
    const out = frames(w.take());
    expect(out.map((f) => f.payload.length)).toEqual([100, 100, 50]);
    expect(out.every((f) => f.channel === 7)).toBe(true);
    expect(Buffer.concat(out.map((f) => f.payload))).toEqual(body);
  });

  it('a body that fits is one frame; frameMax 0 means no limit', () => {
    const w = new Writer(16);
    writeBodyFrames(w, 1, Buffer.alloc(100, 1), 108);
    expect(frames(w.take()).length).toBe(1);
    writeBodyFrames(w, 1, Buffer.alloc(100_000, 1), 0);
    expect(frames(w.take()).map((f) => f.payload.length)).toEqual([100_000]);
  });

  it('an empty body writes nothing', () => {
    const w = new Writer(16);
    writeBodyFrames(w, 1, Buffer.alloc(0), 4096);
    expect(w.pos).toBe(0);
  });

  it('a frameMax with no room for payload throws RangeError', () => {
    expect(() => writeBodyFrames(new Writer(16), 1, Buffer.alloc(1), 8)).toThrow(RangeError);
  });
});
