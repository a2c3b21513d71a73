import { describe, expect, it } from 'vitest';
import { plainTable } from '../../../src/core/plain-values.js';
import type { FieldTable } from '../../../src/protocol/field-table.js';

describe('plainTable: field tables as the read model shows them', () => {
  it("gives RabbitMQ's JSON reading of every field type, as frozen copies", () => {
    const frame = Buffer.from('raw bytes');
    const table: FieldTable = {
      bool: { type: 'bool', value: true },
      int8: { type: 'int8', value: -3 },
      int32: { type: 'int32', value: 70_000 },
      big: { type: 'int64', value: 2n ** 60n },
      double: { type: 'double', value: 1.5 },
      decimal: { type: 'decimal', value: { scale: 2, value: 12345 } },
      text: { type: 'string', value: 'héllo' },
      bytes: { type: 'bytes', value: frame },
      when: { type: 'timestamp', value: 1_700_000_000 },
      none: { type: 'void', value: null },
      list: { type: 'array', value: [{ type: 'int8', value: 1 }, { type: 'string', value: 'two' }] },
      nested: { type: 'table', value: { inner: { type: 'bool', value: false } } },
    };
    const plain = plainTable(table);
    expect(plain).toEqual({
      bool: true,
      int8: -3,
      int32: 70_000,
      big: 2 ** 60,
      double: 1.5,
      decimal: 123.45,
      text: 'héllo',
      bytes: 'raw bytes',
      when: 1_700_000_000,
      none: null,
      list: [1, 'two'],
      nested: { inner: false },
    });
    expect(Object.isFrozen(plain)).toBe(true);
    expect(Object.isFrozen(plain['list'])).toBe(true);
    expect(Object.isFrozen(plain['nested'])).toBe(true);
    // A copy: changing the frame the table was decoded from changes nothing in it.
    frame.write('XXX');
    expect(plain['bytes']).toBe('raw bytes');
  });

  it('shares one frozen empty table for every empty one', () => {
    expect(plainTable({})).toBe(plainTable({}));
    expect(Object.isFrozen(plainTable({}))).toBe(true);
  });
});
