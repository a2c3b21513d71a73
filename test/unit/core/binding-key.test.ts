import { describe, expect, it } from 'vitest';
import { bindingMatches, parsePropertiesKey, propertiesKey } from '../../../src/core/binding-key.js';
import type { FieldTable } from '../../../src/protocol/field-table.js';

const long = (value: number) => ({ type: 'int64', value }) as const;

// properties_key values RabbitMQ 3.10 listed for these bindings (declared over its HTTP API).
describe('properties_key', () => {
  it('names a binding without arguments by its quoted routing key', () => {
    expect(propertiesKey('', {})).toBe('~');
    expect(propertiesKey('k', {})).toBe('k');
    expect(propertiesKey('a b~c/d', {})).toBe('a+b%7Ec%2Fd');
  });

  it("hashes the arguments as RabbitMQ does (erlang:phash2 of the sorted rows)", () => {
    expect(propertiesKey('k', { x: long(1) })).toBe('k~9nmLZQ');
    expect(propertiesKey('k', { x: { type: 'string', value: '1' } })).toBe('k~Js_DUg');
    expect(propertiesKey('k', { x: { type: 'double', value: 1.5 } })).toBe('k~jFOrkw');
    expect(propertiesKey('k', { x: { type: 'bool', value: true } })).toBe('k~TmR75w');
    expect(propertiesKey('k', { x: { type: 'array', value: [long(1)] } })).toBe('k~M3WiNg');
    const args: FieldTable = {
      x: { type: 'string', value: 'y' },
      a: { type: 'array', value: [long(1), long(2)] },
      n: { type: 'table', value: { k: { type: 'bool', value: true } } },
    };
    expect(propertiesKey('', args)).toBe('~gRTDzg'); // top level sorted by name, whatever the order given
  });

  it('reads a properties_key back as rabbit_mgmt_wm_binding does', () => {
    expect(parsePropertiesKey('~')).toEqual({ routingKey: '', hash: undefined });
    expect(parsePropertiesKey('a+b%7Ec%2Fd')).toEqual({ routingKey: 'a b~c/d', hash: undefined });
    expect(parsePropertiesKey('k~9nmLZQ')).toEqual({ routingKey: 'k', hash: '9nmLZQ' });
    expect(parsePropertiesKey('k~a~b')).toBeUndefined();
    const key = parsePropertiesKey('k~9nmLZQ');
    expect(key !== undefined && bindingMatches(key, 'k', { x: long(1) })).toBe(true);
    expect(key !== undefined && bindingMatches(key, 'k', { x: long(2) })).toBe(false);
    expect(key !== undefined && bindingMatches(key, 'k', {})).toBe(false);
  });
});
