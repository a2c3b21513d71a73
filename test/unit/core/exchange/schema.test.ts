import { describe, expect, it } from 'vitest';
import { bracketsExceed, nestingExceeds, SchemaCache, SchemaCheck } from '../../../../src/core/exchange/schema.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('nestingExceeds (the depth bound before JSON.parse)', () => {
  it('counts [ and { nesting, not their total', () => {
    expect(nestingExceeds(b('[[[]]]'), 3)).toBe(false);
    expect(nestingExceeds(b('[[[[]]]]'), 3)).toBe(true);
    expect(nestingExceeds(b('[{},{},{},{},[],[]]'), 2)).toBe(false);
  });
  it('skips brackets inside strings, escaped quotes included', () => {
    expect(nestingExceeds(b('{"a":"[[[[[[[["}'), 2)).toBe(false);
    expect(nestingExceeds(b('{"a":"x\\"[[[[[[["}'), 2)).toBe(false);
    // An even run of backslashes ends the string: the brackets after it count.
    expect(nestingExceeds(b('["x\\\\",[[[[]]]]]'), 3)).toBe(true);
  });
  it('bracketsExceed is the cheap pre-check: true only when there are more brackets than the maximum', () => {
    expect(bracketsExceed(b('[{},{}]'), 3)).toBe(false);
    expect(bracketsExceed(b('[{},{},{}]'), 3)).toBe(true);
  });
});

describe('SchemaCheck', () => {
  const cache = new SchemaCache(2);
  const text = JSON.stringify({ type: 'object', required: ['id'], properties: { id: { type: 'string' } } });
  const check = new SchemaCheck({ source: text, text, validate: cache.compile(text), contentTypes: ['application/json'], maxBytes: 64, maxDepth: 3 });
  it('gives the verdict and the first error as path, message and keyword', () => {
    expect(check.check(b('{"id":"a"}'))).toBe('valid');
    expect(check.check(b('{"id":1}'))).toBe('invalid');
    expect(check.reason).toBe('schema: /id must be string (type)');
    expect(check.check(b('{"id":'))).toBe('unparseable');
    expect(check.check(b(`{"id":"${'x'.repeat(80)}"}`))).toBe('invalid');
    expect(check.reason).toMatch(/larger than the maximum of 64 \(max-bytes\)$/);
    expect(check.check(b('{"id":"a","x":[[[[1]]]]}'))).toBe('invalid');
    expect(check.reason).toMatch(/nested deeper than the maximum of 3 \(max-depth\)$/);
  });
  it('matches the content type without its parameters', () => {
    expect(check.applies('application/json; charset=utf-8')).toBe(true);
    expect(check.applies('text/plain')).toBe(false);
    expect(check.applies(undefined)).toBe(false);
  });
  it('the cache shares one compiled schema per text and drops the least recently used', () => {
    const a = cache.compile('{"type":"string"}');
    const n = cache.compile('{"type":"number"}');
    expect(cache.compile('{"type":"string"}')).toBe(a); // a hit, and now the most recent
    cache.compile('{"type":"boolean"}'); // capacity 2: number, the least recently used, goes
    expect(cache.size).toBe(2);
    expect(cache.compile('{"type":"string"}')).toBe(a);
    expect(cache.compile('{"type":"number"}')).not.toBe(n);
  });
});
