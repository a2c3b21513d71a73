import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, parseSaslResponse, SASL_MECHANISMS } from '../../../src/amqp/sasl.js';
import { encodeTable, tableFromJs } from '../../../src/protocol/field-table.js';

/** AMQPLAIN's response is a field table without its 4-byte length prefix. */
function amqplain(fields: Record<string, unknown>): Buffer {
  return encodeTable(tableFromJs(fields)).subarray(4);
}

describe('parseSaslResponse: PLAIN', () => {
  it('reads authcid and password from NUL authcid NUL passwd', () => {
    expect(parseSaslResponse('PLAIN', Buffer.from('\0guest\0secret'))).toEqual({ username: 'guest', password: 'secret' });
  });

  it('ignores an authorization identity before the first NUL', () => {
    expect(parseSaslResponse('PLAIN', Buffer.from('admin\0guest\0secret'))).toEqual({ username: 'guest', password: 'secret' });
  });

  it('keeps empty fields and UTF-8 text', () => {
    expect(parseSaslResponse('PLAIN', Buffer.from('\0\0'))).toEqual({ username: '', password: '' });
    expect(parseSaslResponse('PLAIN', Buffer.from('\0jürgen\0pässwörd'))).toEqual({ username: 'jürgen', password: 'pässwörd' });
  });

  it('refuses a response without both NULs', () => {
    expect(parseSaslResponse('PLAIN', Buffer.from('guest'))).toBeUndefined();
    expect(parseSaslResponse('PLAIN', Buffer.from('guest\0guest'))).toBeUndefined();
    expect(parseSaslResponse('PLAIN', Buffer.alloc(0))).toBeUndefined();
  });
});

describe('parseSaslResponse: AMQPLAIN', () => {
  it('reads LOGIN and PASSWORD from the table', () => {
    expect(parseSaslResponse('AMQPLAIN', amqplain({ LOGIN: 'guest', PASSWORD: 'secret' }))).toEqual({ username: 'guest', password: 'secret' });
  });

  it('accepts the fields in any order and ignores others', () => {
    expect(parseSaslResponse('AMQPLAIN', amqplain({ x: 1, PASSWORD: 'pw', LOGIN: 'app' }))).toEqual({ username: 'app', password: 'pw' });
  });

  it('refuses a table missing LOGIN or PASSWORD, or with non-string values', () => {
    expect(parseSaslResponse('AMQPLAIN', amqplain({ LOGIN: 'guest' }))).toBeUndefined();
    expect(parseSaslResponse('AMQPLAIN', amqplain({ PASSWORD: 'guest' }))).toBeUndefined();
    expect(parseSaslResponse('AMQPLAIN', amqplain({ LOGIN: 7, PASSWORD: 'guest' }))).toBeUndefined();
  });

  it('refuses bytes that are not a table, without throwing', () => {
    expect(parseSaslResponse('AMQPLAIN', Buffer.from([5, 0x4c, 0x4f]))).toBeUndefined();
    expect(parseSaslResponse('AMQPLAIN', Buffer.from('\0guest\0guest'))).toBeUndefined();
  });
});

describe('parseSaslResponse: other mechanisms', () => {
  it('returns undefined for a mechanism it does not support', () => {
    expect(parseSaslResponse('EXTERNAL', Buffer.from('\0guest\0guest'))).toBeUndefined();
    expect(parseSaslResponse('plain', Buffer.from('\0guest\0guest'))).toBeUndefined();
  });

  it('offers exactly PLAIN and AMQPLAIN', () => {
    expect([...SASL_MECHANISMS]).toEqual(['PLAIN', 'AMQPLAIN']);
  });
});

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '::ffff:127.1.2.3'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.99.77.2', '192.168.1.10', '::ffff:10.0.0.1', 'fe80::1', '::2', '0.0.0.0', '', '128.0.0.1', '::ffff:128.0.0.1'])(
    '%s is not loopback',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );

  it('an unknown address (a socket already closed) is not loopback', () => {
    expect(isLoopbackAddress(undefined)).toBe(false);
  });
});
