import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/protocol/errors.js';
import { tableFromJs, tablesEqual, type FieldTable } from '../../../src/protocol/field-table.js';
import * as generated from '../../../src/protocol/methods.generated.js';
import {
  CONTENT_METHODS,
  METHOD_IDS,
  decodeMethod,
  encodeBasicAckFrame,
  encodeBasicDeliverFrame,
  encodeBasicNackFrame,
  encodeMethod,
  encodeMethodFrame,
  methodName,
  type Method,
} from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { amqplibDefs } from './amqplib-internals.js';
import { fieldTableArb, shortstrArb } from './arbitraries.js';
import { specMethods, type SpecMethodModel } from './spec-model.js';

const METHODS = specMethods();

function arbFor(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bit':
      return fc.boolean();
    case 'octet':
      return fc.integer({ min: 0, max: 0xff });
    case 'short':
      return fc.integer({ min: 0, max: 0xffff });
    case 'long':
      return fc.integer({ min: 0, max: 0xffffffff });
    case 'longlong':
      return fc.maxSafeNat();
    case 'shortstr':
      return shortstrArb;
    case 'longstr':
      return fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
    case 'table':
      return fieldTableArb;
    default:
      throw new Error(`no arbitrary for ${type}`);
  }
}

function methodArb(spec: SpecMethodModel): fc.Arbitrary<Method> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of spec.fields) shape[f.prop] = arbFor(f.type);
  return fc.record(shape).map((fields) => ({ name: spec.name, ...fields }) as unknown as Method);
}

function expectSameMethod(actual: Method, expected: Method, spec: SpecMethodModel): void {
  expect(actual.name).toBe(expected.name);
  const a = actual as unknown as Record<string, unknown>;
  const e = expected as unknown as Record<string, unknown>;
  expect(Object.keys(a).sort()).toEqual(['name', ...spec.fields.map((f) => f.prop)].sort());
  for (const f of spec.fields) {
    if (f.type === 'table') expect(tablesEqual(a[f.prop] as FieldTable, e[f.prop] as FieldTable)).toBe(true);
    else expect(a[f.prop]).toEqual(e[f.prop]);
  }
}

function frameOf(m: Method, channel = 3): Buffer {
  const w = new Writer(64);
  encodeMethodFrame(w, channel, m);
  return w.take();
}

function decodeFrame(frame: Buffer): Method {
  return decodeMethod(frame, 7, frame.length - 1);
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

/** A fixed sample per wire type; tables hold only values amqplib encodes to the same tags. */
function sample(type: string, index: number): unknown {
  switch (type) {
    case 'bit':
      return index % 2 === 0;
    case 'octet':
      return 7;
    case 'short':
      return 513;
    case 'long':
      return 70000;
    case 'longlong':
      return 2 ** 40 + 3;
    case 'shortstr':
      return `sample-é-${index}`;
    case 'longstr':
      return Buffer.from('\0guest\0guest');
    case 'table':
      return { s: 'v', n: 5, nested: { yes: true } };
    default:
      throw new Error(type);
  }
}

function sampleFields(spec: SpecMethodModel): { amqplib: Record<string, unknown>; warren: Method } {
  const amqplib: Record<string, unknown> = {};
  const warren: Record<string, unknown> = { name: spec.name };
  spec.fields.forEach((f, i) => {
    const v = sample(f.type, i);
    amqplib[f.prop] = v;
    warren[f.prop] = f.type === 'table' ? tableFromJs(v as Record<string, unknown>) : v;
  });
  return { amqplib, warren: warren as unknown as Method };
}

describe('methods: the generated codec covers the spec', () => {
  it('has every method of the spec', () => {
    expect(METHODS.length).toBe(66);
    expect(Object.keys(METHOD_IDS).sort()).toEqual(METHODS.map((m) => m.name).sort());
    for (const m of METHODS) {
      expect(METHOD_IDS[m.name as keyof typeof METHOD_IDS]).toEqual([m.classId, m.methodId]);
      expect(methodName(m.classId, m.methodId)).toBe(m.name);
    }
    expect(methodName(60, 999)).toBeUndefined();
    expect([...CONTENT_METHODS].sort()).toEqual(['basic.deliver', 'basic.get-ok', 'basic.publish', 'basic.return']);
  });
});

describe('methods: round trips', () => {
  for (const spec of METHODS) {
    it(`${spec.name} round-trips (fast-check, 25 runs) and its direct encoder writes the same bytes`, () => {
      const direct = (generated as unknown as Record<string, (...args: unknown[]) => void>)[
        `encode${spec.pascal}Frame`
      ];
      expect(typeof direct).toBe('function');
      fc.assert(
        fc.property(methodArb(spec), fc.integer({ min: 0, max: 0xffff }), (m, channel) => {
          const frame = frameOf(m, channel);
          expect(frame[0]).toBe(1);
          expect(frame.readUInt16BE(1)).toBe(channel);
          expect(frame.readUInt32BE(3)).toBe(frame.length - 8);
          expect(frame.readUInt16BE(7)).toBe(spec.classId);
          expect(frame.readUInt16BE(9)).toBe(spec.methodId);
          expectSameMethod(decodeFrame(frame), m, spec);

          const w = new Writer(64);
          const fields = m as unknown as Record<string, unknown>;
          direct!(w, channel, ...spec.fields.map((f) => fields[f.prop]));
          expect(w.take()).toEqual(frame);
        }),
        { numRuns: 25 },
      );
    });
  }

  it('packs consecutive bits into one octet, least significant first', () => {
    const w = new Writer(64);
    generated.encodeQueueDeclare(w, 0, 'q', false, true, false, true, true, {});
    const payload = w.take();
    // ids(4) ticket(2) shortstr(1+1) then the bit octet: durable=2, auto-delete=8, nowait=16.
    expect(payload[8]).toBe(0b11010);
    expect(payload.length).toBe(4 + 2 + 2 + 1 + 4);
  });

  it('encodeMethod writes the payload only', () => {
    const w = new Writer(64);
    encodeMethod(w, { name: 'basic.ack', deliveryTag: 5, multiple: true });
    const payload = w.take();
    expect(payload.length).toBe(4 + 8 + 1);
    expect(decodeMethod(payload, 0, payload.length)).toEqual({ name: 'basic.ack', deliveryTag: 5, multiple: true });
  });

  it('methods without arguments decode to a shared frozen object', () => {
    const a = decodeFrame(frameOf({ name: 'tx.commit' }));
    const b = decodeFrame(frameOf({ name: 'tx.commit' }));
    expect(a).toEqual({ name: 'tx.commit' });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('the hot encoders match the generic path', () => {
    const w = new Writer(64);
    encodeBasicDeliverFrame(w, 9, 'ctag', 2 ** 40, true, 'ex', 'rk');
    expect(w.take()).toEqual(
      frameOf({ name: 'basic.deliver', consumerTag: 'ctag', deliveryTag: 2 ** 40, redelivered: true, exchange: 'ex', routingKey: 'rk' }, 9),
    );
    encodeBasicAckFrame(w, 1, 77, true);
    expect(w.take()).toEqual(frameOf({ name: 'basic.ack', deliveryTag: 77, multiple: true }, 1));
    encodeBasicNackFrame(w, 1, 78, false, true);
    expect(w.take()).toEqual(frameOf({ name: 'basic.nack', deliveryTag: 78, multiple: false, requeue: true }, 1));
  });
});

describe('methods: wire compatibility with amqplib', () => {
  for (const spec of METHODS) {
    it(`${spec.name}: same bytes as amqplib, decoded both ways`, () => {
      const id = amqplibDefs[spec.pascal];
      expect(typeof id).toBe('number');
      const { amqplib, warren } = sampleFields(spec);
      const theirs = amqplibDefs.encodeMethod(id as number, 4, amqplib);
      const ours = frameOf(warren, 4);
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      expectSameMethod(decodeFrame(theirs), warren, spec);
      expect(amqplibDefs.decode(id as number, ours.subarray(11, ours.length - 1))).toEqual(amqplib);
    });
  }
});

describe('methods: decode errors', () => {
  it('an unknown class or method is unknown-method (503) with the ids set', () => {
    const payload = Buffer.from([0, 60, 0, 99]);
    const err = decodeError(() => decodeMethod(payload, 0, 4));
    expect(err.kind).toBe('unknown-method');
    expect(err.replyCode).toBe(503);
    expect([err.classId, err.methodId]).toEqual([60, 99]);
    expect(decodeError(() => decodeMethod(Buffer.from([0xff, 0xff, 0, 10]), 0, 4)).classId).toBe(0xffff);
  });

  it('a payload without both ids is truncated', () => {
    expect(decodeError(() => decodeMethod(Buffer.from([0, 60, 0]), 0, 3)).kind).toBe('truncated');
  });

  it('missing arguments are truncated (502) with the ids set', () => {
    const frame = frameOf({ name: 'basic.qos', prefetchSize: 0, prefetchCount: 10, global: false });
    const err = decodeError(() => decodeMethod(frame, 7, frame.length - 2));
    expect(err.kind).toBe('truncated');
    expect(err.replyCode).toBe(502);
    expect([err.classId, err.methodId]).toEqual([60, 10]);
  });

  it('bytes after the last argument are bad-value', () => {
    const payload = Buffer.concat([frameOf({ name: 'channel.close-ok' }).subarray(7, 11), Buffer.from([0])]);
    const err = decodeError(() => decodeMethod(payload, 0, payload.length));
    expect(err.kind).toBe('bad-value');
    expect([err.classId, err.methodId]).toEqual([20, 41]);
  });

  it('a bad table value inside a method is bad-value with the ids set', () => {
    const frame = frameOf({ name: 'queue.bind', ticket: 0, queue: 'q', exchange: 'e', routingKey: 'k', nowait: false, arguments: { a: { type: 'bool', value: true } } });
    frame[frame.length - 3] = 0x5a; // the 't' tag (before value 1 and 0xCE) becomes 'Z'
    const err = decodeError(() => decodeFrame(frame));
    expect(err.kind).toBe('bad-value');
    expect([err.classId, err.methodId]).toEqual([50, 20]);
  });

  it('decoding reads only inside [offset, end)', () => {
    const frame = frameOf({ name: 'basic.cancel-ok', consumerTag: 'abc' });
    const err = decodeError(() => decodeMethod(frame, 7, frame.length - 2));
    expect(err.kind).toBe('truncated');
  });
});
