import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeProperties } from '../../../src/protocol/content-header.js';
import { DECODE_ERROR_REPLY_CODES, DecodeError, type DecodeErrorKind } from '../../../src/protocol/errors.js';
import { asNumber, asString } from '../../../src/protocol/field-table.js';
import { FrameParser } from '../../../src/protocol/frame-parser.js';
import { encodeMethodFrame, type Method } from '../../../src/protocol/methods.generated.js';
import { Writer } from '../../../src/protocol/writer.js';
import { Recorder, loadFrameFixtures, parseSplit, summarize, type FrameEvent } from './frame-recorder.js';

const FIXTURES = loadFrameFixtures();
const HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');

function methodFrame(m: Method, channel = 1): Buffer {
  const w = new Writer(64);
  encodeMethodFrame(w, channel, m);
  return w.take();
}

/** A raw frame: type, channel, the payload's length as size unless given, payload, end octet. */
function rawFrame(type: number, channel: number, payload: Buffer, opts: { size?: number; end?: number } = {}): Buffer {
  const head = Buffer.alloc(7);
  head[0] = type;
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(opts.size ?? payload.length, 3);
  return Buffer.concat([head, payload, Buffer.from([opts.end ?? 0xce])]);
}

const ACK = methodFrame({ name: 'basic.ack', deliveryTag: 1, multiple: false });
const HEARTBEAT = rawFrame(8, 0, Buffer.alloc(0));

function parse(bytes: Buffer, frameMax = 131072, expectProtocolHeader = false): { events: FrameEvent[]; error: DecodeError | undefined } {
  const sink = new Recorder();
  const error = new FrameParser(sink, { frameMax, expectProtocolHeader, utf8Names: true }).push(bytes);
  return { events: sink.events, error };
}

function fixture(name: string): Buffer {
  return Buffer.from(FIXTURES.find((f) => f.name === name)!.hex, 'hex');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FrameParser: fixtures written by amqplib', () => {
  for (const f of FIXTURES) {
    it(`${f.name}: ${f.description}`, () => {
      const { events, error } = parseSplit(Buffer.from(f.hex, 'hex'), [], f);
      expect(error).toBeUndefined();
      expect(summarize(events)).toEqual(f.events);
    });
  }

  it('decodes the handshake fields', () => {
    const { events } = parse(fixture('client-handshake'), 131072, true);
    const startOk = events[1]!;
    expect(startOk.kind === 'method' && startOk.method.name === 'connection.start-ok').toBe(true);
    if (startOk.kind !== 'method' || startOk.method.name !== 'connection.start-ok') return;
    expect(startOk.method.mechanism).toBe('PLAIN');
    expect(startOk.method.response.toString('latin1')).toBe('\0guest\0guest');
    expect(asString(startOk.method.clientProperties['product'])).toBe('amqplib');
    const capabilities = startOk.method.clientProperties['capabilities']!;
    expect(capabilities.type === 'table' && capabilities.value['basic.nack']).toEqual({ type: 'bool', value: true });
  });

  it('hands over content-header properties that decode', () => {
    const { events } = parse(fixture('publish-three-bodies'));
    const header = events[1]!;
    expect(header.kind).toBe('header');
    if (header.kind !== 'header') return;
    const p = decodeProperties(header.properties);
    expect(p.contentType).toBe('application/json');
    expect(p.deliveryMode).toBe(2);
    expect(p.timestamp).toBe(1700000000);
    expect(asNumber(p.headers!['count'])).toBe(3);
  });

  it('reads delivery tags up to 2^53 - 1 exactly', () => {
    const { events } = parse(fixture('deliver-split-body'), 4096);
    const deliver = events[0]!;
    expect(deliver.kind === 'method' && deliver.method.name === 'basic.deliver' && deliver.method.deliveryTag).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });
});

describe('FrameParser: buffers', () => {
  it('bodies inside one chunk are views into it (zero-copy)', () => {
    const chunk = fixture('publish-three-bodies');
    const { events } = parse(chunk);
    const bodies = events.filter((e) => e.kind === 'body');
    expect(bodies.length).toBe(3);
    for (const b of bodies) expect(b.body.buffer).toBe(chunk.buffer);
  });

  it('a frame split across chunks is gathered into one buffer of exactly its size', () => {
    const frame = rawFrame(3, 1, Buffer.alloc(1000, 7));
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 131072 });
    parser.push(frame.subarray(0, 3));
    parser.push(frame.subarray(3, 500));
    expect(sink.events).toEqual([]);
    parser.push(frame.subarray(500));
    expect(allocUnsafe.mock.calls).toEqual([[1001]]);
    expect(sink.events).toEqual([{ kind: 'body', channel: 1, body: Buffer.alloc(1000, 7) }]);
  });

  it('empty pushes are harmless', () => {
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096, expectProtocolHeader: true });
    expect(parser.push(Buffer.alloc(0))).toBeUndefined();
    expect(parser.push(HEADER)).toBeUndefined();
    expect(parser.push(Buffer.alloc(0))).toBeUndefined();
    expect(sink.events).toEqual([{ kind: 'protocol-header' }]);
  });
});

describe('FrameParser: protocol header', () => {
  it('accepts the header byte by byte, then frames in the same chunk', () => {
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096, expectProtocolHeader: true });
    for (const byte of HEADER.subarray(0, 7)) expect(parser.push(Buffer.from([byte]))).toBeUndefined();
    expect(sink.events).toEqual([]);
    expect(parser.push(Buffer.concat([HEADER.subarray(7), HEARTBEAT]))).toBeUndefined();
    expect(sink.events).toEqual([{ kind: 'protocol-header' }, { kind: 'heartbeat', channel: 0 }]);
  });

  it('an HTTP request fails on its first byte', () => {
    const sink = new Recorder();
    const err = new FrameParser(sink, { frameMax: 4096, expectProtocolHeader: true }).push(Buffer.from('G'));
    expect(err?.kind).toBe('bad-protocol-header');
    expect(sink.events).toEqual([]);
  });

  it('other AMQP versions fail', () => {
    expect(parse(Buffer.from('AMQP\x00\x00\x09\x00', 'latin1'), 4096, true).error?.kind).toBe('bad-protocol-header');
    expect(parse(Buffer.from('AMQP\x03\x01\x00\x00', 'latin1'), 4096, true).error?.kind).toBe('bad-protocol-header');
  });

  it('without expectProtocolHeader, the header is not special', () => {
    expect(parse(HEADER).error?.kind).toBe('unknown-frame-type');
  });
});

describe('FrameParser: errors', () => {
  /** For every DecodeError kind, input that yields it through the parser. */
  const cases: { [K in DecodeErrorKind]: { input: Buffer; expectHeader?: boolean; frameMax?: number } } = {
    'bad-protocol-header': { input: Buffer.from('GET / HTTP/1.1\r\n'), expectHeader: true },
    'frame-too-large': { input: rawFrame(3, 1, Buffer.alloc(4089)), frameMax: 4096 },
    'bad-frame-end': { input: rawFrame(1, 1, ACK.subarray(7, ACK.length - 1), { end: 0 }) },
    'unknown-frame-type': { input: rawFrame(4, 1, Buffer.alloc(0)) },
    truncated: { input: rawFrame(1, 1, Buffer.from([0, 60])) },
    'bad-value': { input: rawFrame(1, 1, Buffer.concat([ACK.subarray(7, ACK.length - 1), Buffer.from([0])])) },
    'unknown-method': { input: rawFrame(1, 1, Buffer.from([0, 60, 0, 250])) },
    'too-deep': { input: deepQueueDeclare(70) },
    'bad-utf8': {
      input: rawFrame(1, 1, Buffer.concat([Buffer.from([0, 50, 0, 10, 0, 0, 4]), Buffer.alloc(4, 0xff), Buffer.from([0, 0, 0, 0, 0])])),
    },
  };

  /**
   * The spec's hard error for each kind, by name (section 1.2 constants), so the codes are checked
   * against the spec rather than against a copy of the implementation's table: framing problems are
   * FRAME-ERROR, undecodable payloads SYNTAX-ERROR, unknown methods COMMAND-INVALID.
   */
  const specReply: { [K in DecodeErrorKind]: string } = {
    'bad-protocol-header': 'FRAME-ERROR',
    'frame-too-large': 'FRAME-ERROR',
    'bad-frame-end': 'FRAME-ERROR',
    'unknown-frame-type': 'FRAME-ERROR',
    truncated: 'SYNTAX-ERROR',
    'bad-value': 'SYNTAX-ERROR',
    'unknown-method': 'COMMAND-INVALID',
    'too-deep': 'SYNTAX-ERROR',
    'bad-utf8': 'FRAME-ERROR',
  };
  const spec = JSON.parse(readFileSync(new URL('../../../fixtures/spec/amqp-rabbitmq-0.9.1.json', import.meta.url), 'utf8')) as {
    constants: { name: string; value: number; class?: string }[];
  };
  const specCode = (name: string): number => {
    const c = spec.constants.find((k) => k.name === name);
    if (c === undefined || c.class !== 'hard-error') throw new Error(`${name} is not a hard error in the spec`);
    return c.value;
  };

  for (const kind of Object.keys(cases) as DecodeErrorKind[]) {
    it(`${kind} is ${specReply[kind]}`, () => {
      const c = cases[kind];
      const { events, error } = parse(c.input, c.frameMax ?? 131072, c.expectHeader ?? false);
      expect(error).toBeInstanceOf(DecodeError);
      expect(error!.kind).toBe(kind);
      expect(error!.replyCode).toBe(specCode(specReply[kind]));
      expect(events).toEqual([]);
    });
  }

  it('every kind the codec can raise has a case above', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(DECODE_ERROR_REPLY_CODES).sort());
  });

  it('bytes that are not UTF-8 are refused in names, and kept as bytes in basic.publish', () => {
    const publish = rawFrame(1, 1, Buffer.concat([Buffer.from([0, 60, 0, 40, 0, 0, 0, 3]), Buffer.alloc(3, 0xff), Buffer.from([0])]));
    const { events, error } = parse(publish);
    expect(error).toBeUndefined();
    const m = (events[0] as { method: { routingKey: string } }).method;
    expect(m.routingKey).toBe('\udcff\udcff\udcff');
    // A client parsing the server's frames takes such bytes anywhere (deliver, return echo them).
    const declare = rawFrame(1, 1, Buffer.concat([Buffer.from([0, 50, 0, 11, 2]), Buffer.alloc(2, 0xff), Buffer.alloc(8)]));
    const sink = new Recorder();
    expect(new FrameParser(sink, { frameMax: 131072 }).push(declare)).toBeUndefined();
    expect(sink.events).toHaveLength(1);
  });

  it('frame-too-large is reported from the 7-byte header, before any payload arrives', () => {
    const head = rawFrame(3, 1, Buffer.alloc(0), { size: 0xffffffff }).subarray(0, 7);
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 131072 });
    expect(parser.push(head.subarray(0, 6))).toBeUndefined();
    expect(parser.push(head.subarray(6))?.kind).toBe('frame-too-large');
  });

  it('a frame of exactly frameMax is accepted; one byte more is not', () => {
    expect(parse(rawFrame(3, 1, Buffer.alloc(4088)), 4096).error).toBeUndefined();
    expect(parse(rawFrame(3, 1, Buffer.alloc(4089)), 4096).error?.kind).toBe('frame-too-large');
  });

  it('a bad frame end in a gathered frame is caught too', () => {
    const frame = rawFrame(3, 1, Buffer.alloc(100), { end: 0xcd });
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096 });
    expect(parser.push(frame.subarray(0, 50))).toBeUndefined();
    expect(parser.push(frame.subarray(50))?.kind).toBe('bad-frame-end');
    expect(sink.events).toEqual([]);
  });

  it('a heartbeat with a payload is unknown-frame-type, as RabbitMQ treats it', () => {
    expect(parse(rawFrame(8, 0, Buffer.from([1]))).error?.kind).toBe('unknown-frame-type');
  });

  it('a content header shorter than 14 bytes is truncated', () => {
    expect(parse(rawFrame(2, 1, Buffer.alloc(13))).error?.kind).toBe('truncated');
    expect(parse(rawFrame(2, 1, Buffer.alloc(14))).error).toBeUndefined();
  });

  it('carries the failing method ids', () => {
    const err = parse(rawFrame(1, 1, Buffer.from([0, 50, 0, 10, 0]))).error!;
    expect([err.kind, err.classId, err.methodId]).toEqual(['truncated', 50, 10]);
  });

  it('stops at the error: nothing after it in the chunk is dispatched, later pushes return the same error', () => {
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 4096 });
    const bad = rawFrame(9, 0, Buffer.alloc(0));
    const err = parser.push(Buffer.concat([ACK, bad, ACK, HEARTBEAT]));
    expect(err?.kind).toBe('unknown-frame-type');
    expect(sink.events.length).toBe(1);
    expect(parser.failed).toBe(err);
    expect(parser.push(ACK)).toBe(err);
    expect(sink.events.length).toBe(1);
  });
});

describe('FrameParser: control', () => {
  it('stop() from the sink ignores the rest of the chunk and later pushes', () => {
    const sink = new Recorder();
    const parser = new FrameParser(
      {
        ...sink,
        onProtocolHeader: () => sink.onProtocolHeader(),
        onMethod: (channel, method) => {
          sink.onMethod(channel, method);
          parser.stop();
        },
        onContentHeader: () => undefined,
        onBody: () => undefined,
        onHeartbeat: (channel) => sink.onHeartbeat(channel),
      },
      { frameMax: 4096 },
    );
    expect(parser.push(Buffer.concat([HEARTBEAT, ACK, ACK, HEARTBEAT]))).toBeUndefined();
    expect(sink.events.map((e) => e.kind)).toEqual(['heartbeat', 'method']);
    expect(parser.stopped).toBe(true);
    expect(parser.push(ACK)).toBeUndefined();
    expect(sink.events.length).toBe(2);
    expect(parser.failed).toBeUndefined();
  });

  it('sink exceptions propagate unchanged and halt the parser', () => {
    const boom = new Error('boom');
    const sink = new Recorder();
    sink.onHeartbeat = () => {
      throw boom;
    };
    const parser = new FrameParser(sink, { frameMax: 4096 });
    expect(() => parser.push(Buffer.concat([HEARTBEAT, ACK]))).toThrow(boom);
    expect(parser.stopped).toBe(true);
    expect(parser.push(ACK)).toBeUndefined();
    expect(sink.events).toEqual([]);
  });

  it('setFrameMax applies to the next frame header', () => {
    const big = rawFrame(3, 1, Buffer.alloc(5000));
    const sink = new Recorder();
    const parser = new FrameParser(sink, { frameMax: 131072 });
    expect(parser.push(big)).toBeUndefined();
    parser.setFrameMax(4096);
    expect(parser.push(big)?.kind).toBe('frame-too-large');
    expect(sink.events.length).toBe(1);
  });

  it('rejects a frameMax that cannot hold a frame', () => {
    expect(() => new FrameParser(new Recorder(), { frameMax: 7 })).toThrow(RangeError);
    expect(() => new FrameParser(new Recorder(), { frameMax: 4096 }).setFrameMax(2 ** 32)).toThrow(RangeError);
  });
});

/** A queue.declare whose arguments nest `depth` tables deep. */
function deepQueueDeclare(depth: number): Buffer {
  let inner = Buffer.from([0, 0, 0, 0]);
  for (let i = 1; i < depth; i++) {
    const entry = Buffer.concat([Buffer.from([1, 0x61, 0x46]), inner]);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(entry.length);
    inner = Buffer.concat([size, entry]);
  }
  const head = Buffer.from([0, 50, 0, 10, 0, 0, 1, 0x71, 0]); // ids, ticket, queue 'q', bits
  return rawFrame(1, 1, Buffer.concat([head, inner]));
}
