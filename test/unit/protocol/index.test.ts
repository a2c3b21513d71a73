import { describe, expect, it } from 'vitest';
import * as constants from '../../../src/protocol/constants.js';
import * as contentHeader from '../../../src/protocol/content-header.js';
import * as errors from '../../../src/protocol/errors.js';
import * as fieldTable from '../../../src/protocol/field-table.js';
import * as frameParser from '../../../src/protocol/frame-parser.js';
import * as protocol from '../../../src/protocol/index.js';
import * as methods from '../../../src/protocol/methods.generated.js';
import * as reader from '../../../src/protocol/reader.js';
import * as writer from '../../../src/protocol/writer.js';

describe('src/protocol/index.ts', () => {
  it('exports the API the connection layer is written against', () => {
    const names = [
      'FrameType', 'FRAME_END', 'FRAME_HEADER_SIZE', 'FRAME_OVERHEAD', 'PROTOCOL_HEADER', 'MIN_FRAME_MAX', 'ClassId',
      'Reader', 'Writer', 'DecodeError',
      'readTable', 'writeTable', 'readFieldValue', 'writeFieldValue', 'encodeTable', 'decodeTable', 'tablesEqual',
      'fieldValuesEqual', 'toJs', 'tableToJs', 'fromJs', 'tableFromJs', 'asNumber', 'asString', 'asBool',
      'decodeProperties', 'encodeProperties', 'encodePropertiesBuffer', 'writeHeaderFrame', 'writeBodyFrames',
      'METHOD_IDS', 'methodName', 'decodeMethod', 'encodeMethodFrame', 'encodeMethod',
      'encodeBasicDeliverFrame', 'encodeBasicAckFrame', 'encodeBasicNackFrame', 'FrameParser',
    ];
    const exported = protocol as unknown as Record<string, unknown>;
    // The same binding as the defining module's, not merely something of that name.
    const sources = [constants, contentHeader, errors, fieldTable, frameParser, methods, reader, writer] as unknown as Record<string, unknown>[];
    for (const name of names) {
      const source = sources.find((m) => Object.hasOwn(m, name));
      expect(source, `${name} is defined in no protocol module`).toBeDefined();
      expect(exported[name], name).toBe(source?.[name]);
    }
  });

  it('has the constant values of the spec', () => {
    expect(protocol.FrameType).toEqual({ Method: 1, Header: 2, Body: 3, Heartbeat: 8 });
    expect(protocol.FRAME_END).toBe(0xce);
    expect([protocol.FRAME_HEADER_SIZE, protocol.FRAME_OVERHEAD, protocol.MIN_FRAME_MAX]).toEqual([7, 8, 4096]);
    expect(protocol.PROTOCOL_HEADER.toString('latin1')).toBe('AMQP\x00\x00\x09\x01');
    expect(protocol.ClassId).toEqual({ connection: 10, channel: 20, access: 30, exchange: 40, queue: 50, basic: 60, confirm: 85, tx: 90 });
  });
});
