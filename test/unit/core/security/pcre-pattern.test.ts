import { describe, expect, it } from 'vitest';
import { compilePattern, patternProblem } from '../../../../src/core/security/pcre-pattern.js';

describe('permission patterns: what is refused when set', () => {
  const refused: [string, RegExp][] = [
    ['(?i)orders', /inline options/],
    ['(?-i:x)', /inline options/],
    ['a++', /possessive/],
    ['a*+', /possessive/],
    ['a{1,3}+', /possessive/],
    ['(?>ab|a)c', /atomic/],
    ['\\Aorders', /\\A/],
    ['orders\\z', /\\z/],
    ['orders\\Z', /\\Z/],
    ['\\Qa.b\\E', /\\Q/],
    ['a(?#comment)', /comments/],
    ['(?P<n>a)', /\(\?<name>/],
    ["(?'n'a)", /\(\?<name>/],
    ['\\h', /\\h/],
    ['\\v', /vertical/],
    ['\\R', /newline/],
    ['\\p{L}', /Unicode/],
    ['(a)\\1', /backreferences/],
    ['[[:alpha:]]', /POSIX/],
    ['[]a]', /first in a character class/],
    ['(*UTF8)a', /verbs/],
    ['(?(1)a|b)', /conditional/],
    ['(?R)', /recursion/],
    ['(?<=a)b', /lookbehind/],
    ['\\x{41}', /two hex digits/],
    ['a{70000}', /65535/],
    ['(', /not a valid regular expression/],
    ['[a', /not closed/],
    ['*a', /nothing to repeat/],
    ['\\', /lone backslash/],
  ];
  it.each(refused)('%s is refused with a reason', (pattern, reason) => {
    expect(() => compilePattern(pattern)).toThrow(reason);
    expect(patternProblem(pattern)).toMatch(new RegExp(`^permission pattern '.*' is refused: `));
  });

  it('accepts what RabbitMQ users write, with PCRE meaning', () => {
    expect(compilePattern('.*').test('anything')).toBe(true);
    expect(compilePattern('^app\\.').test('app.orders')).toBe(true);
    expect(compilePattern('^app\\.').test('other.app.orders')).toBe(false);
    expect(compilePattern('orders').test('my-orders-queue')).toBe(true); // unanchored search
    expect(compilePattern('^(amq\\.gen-.*|orders)$').test('amq.gen-abc')).toBe(true);
    expect(compilePattern('^[a-z]{2,3}$').test('abcd')).toBe(false);
    expect(compilePattern('^{username}-').test('{username}-q')).toBe(true); // a literal brace, as in PCRE
    expect(compilePattern('^(?<tenant>t[0-9]+)\\.').test('t42.jobs')).toBe(true);
    expect(compilePattern('^x(?!y)').test('xz')).toBe(true);
  });

  it("'' denies every name (RabbitMQ reads it as ^$)", () => {
    const none = compilePattern('');
    for (const name of ['a', 'amq.default', ' ']) expect(none.test(name)).toBe(false);
    expect(none.test('')).toBe(true);
    expect(none.test('\n')).toBe(true); // as PCRE's ^$: a routing key of one newline passes '' in RabbitMQ too
  });

  it('matches bytes as PCRE does: . is one byte of UTF-8, $ matches before a final newline', () => {
    expect(compilePattern('^.$').test('é')).toBe(false); // two bytes
    expect(compilePattern('^..$').test('é')).toBe(true);
    expect(compilePattern('^a.b$').test('a\rb')).toBe(true); // JS's . would stop at \r
    expect(compilePattern('^ab$').test('ab\n')).toBe(true);
    expect(compilePattern('\\s').test('à')).toBe(false); // à is C3 A0; JS's \s takes A0 as NBSP
  });
});
