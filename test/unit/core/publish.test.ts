import { describe, expect, it } from 'vitest';
import { INVALID_TTL, Message, NO_TTL } from '../../../src/core/message.js';
import { checkExpiration } from '../../../src/core/publish.js';
import { encodePropertiesBuffer } from '../../../src/protocol/content-header.js';

const withExpiration = (expiration?: string): Message =>
  new Message('', 'q', encodePropertiesBuffer(expiration === undefined ? {} : { expiration }), Buffer.alloc(0));

describe('the expiration property, parsed once into Message.ttl', () => {
  it('reads milliseconds as a decimal string of at most 16 digits', () => {
    expect(withExpiration().ttl).toBe(NO_TTL);
    expect(withExpiration('0').ttl).toBe(0);
    expect(withExpiration('60000').ttl).toBe(60000);
    expect(withExpiration('0042').ttl).toBe(42);
    expect(withExpiration('1234567890123456').ttl).toBe(1234567890123456);
    for (const text of ['', ' 5', '5 ', '+5', '1e3', '1.5', '12345678901234567', '-5', 'soon']) {
      expect(withExpiration(text).ttl, text).toBe(INVALID_TTL);
    }
  });

  it('refuses what is not a TTL with RabbitMQ 406 texts, and passes the rest', () => {
    expect(() => checkExpiration(withExpiration())).not.toThrow();
    expect(() => checkExpiration(withExpiration('0'))).not.toThrow();
    expect(() => checkExpiration(withExpiration('-5'))).toThrow("PRECONDITION_FAILED - invalid expiration '-5': {value_negative,-5}");
    expect(() => checkExpiration(withExpiration('soon'))).toThrow("PRECONDITION_FAILED - invalid expiration 'soon': no_integer");
    expect(() => checkExpiration(withExpiration('12345678901234567'))).toThrow('no_integer');
  });
});
