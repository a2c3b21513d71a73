import { describe, expect, it } from 'vitest';
import { amqpError } from '../../src/errors/index.js';

describe('AmqpError', () => {
  it('carries the reply code, scope and RabbitMQ-style text', () => {
    const err = amqpError('WARREN_NOT_FOUND', "no queue 'q' in vhost '/'", { classId: 50, methodId: 10 });
    expect(err.replyCode).toBe(404);
    expect(err.scope).toBe('channel');
    expect(err.replyText).toBe("NOT_FOUND - no queue 'q' in vhost '/'");
    expect([err.classId, err.methodId]).toEqual([50, 10]);
  });

  it('fills in the failing method only when the thrower did not know it', () => {
    const err = amqpError('WARREN_PRECONDITION_FAILED', 'x').during({ classId: 60, methodId: 40 });
    expect([err.classId, err.methodId]).toEqual([60, 40]);
    err.during({ classId: 50, methodId: 10 });
    expect([err.classId, err.methodId]).toEqual([60, 40]);
  });

  it('cuts texts over 255 bytes to 252 bytes plus "..." on a character boundary, as RabbitMQ', () => {
    const long = amqpError('WARREN_NOT_FOUND', `no queue '${'é'.repeat(200)}'`);
    const text = long.replyText;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(255);
    expect(text.endsWith('...')).toBe(true);
    expect(text).not.toContain('\ufffd');
    const ascii = amqpError('WARREN_NOT_FOUND', 'x'.repeat(300)).replyText;
    expect(Buffer.byteLength(ascii)).toBe(255);
  });
});
