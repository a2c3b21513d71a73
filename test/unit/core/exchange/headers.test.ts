import { describe, expect, it } from 'vitest';
import { isAmqpError } from '../../../../src/errors/index.js';
import {
  HeadersRoutingTable,
  headersMatch,
  headerValueMatches,
  validateHeadersBinding,
} from '../../../../src/core/exchange/headers.js';
import type { FieldTable, FieldValue } from '../../../../src/protocol/field-table.js';
import { dest, routed, routingTableContract, type Dest } from './routing-table-contract.js';

routingTableContract('headers', '');

const s = (value: string): FieldValue => ({ type: 'string', value });
const i32 = (value: number): FieldValue => ({ type: 'int32', value });
const xm = (mode: string): FieldValue => s(mode);
const VOID: FieldValue = { type: 'void', value: null };

function thrownBy(f: () => void): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('headers: validateBinding', () => {
  it('accepts the four x-match modes and no x-match at all', () => {
    for (const mode of ['all', 'any', 'all-with-x', 'any-with-x']) {
      expect(() => validateHeadersBinding({ 'x-match': xm(mode), a: s('1') })).not.toThrow();
    }
    expect(() => validateHeadersBinding({ a: s('1') })).not.toThrow();
  });

  const invalid: [string, FieldTable][] = [
    ['an unknown mode', { 'x-match': xm('some') }],
    ['a mode in capitals', { 'x-match': xm('ALL') }],
    ['a mode that is not a longstr', { 'x-match': { type: 'bytes', value: Buffer.from('all') } }],
    ['a number', { 'x-match': i32(1) }],
  ];
  for (const [what, args] of invalid) {
    it(`rejects ${what} with WARREN_ARGUMENT_INVALID (406), in validateBinding and in bind`, () => {
      const t = new HeadersRoutingTable<Dest>();
      const err = thrownBy(() => t.validateBinding('', args));
      expect(isAmqpError(err)).toBe(true);
      expect(err).toMatchObject({ code: 'WARREN_ARGUMENT_INVALID', replyCode: 406 });
      expect((err as Error).message).toMatch(/^PRECONDITION_FAILED - Invalid x-match field/);
      expect(() => t.bind(dest('q'), '', args)).toThrow(/x-match/);
      expect(t.size).toBe(0);
    });
  }
});

describe('headers: x-match modes', () => {
  const msg: FieldTable = { format: s('pdf'), type: s('report'), 'x-origin': s('eu') };

  it('all (the default): every argument must match', () => {
    expect(headersMatch({ format: s('pdf'), type: s('report') }, msg)).toBe(true);
    expect(headersMatch({ 'x-match': xm('all'), format: s('pdf'), type: s('log') }, msg)).toBe(false);
    expect(headersMatch({ format: s('pdf'), missing: s('x') }, msg)).toBe(false);
  });

  it('any: one matching argument is enough', () => {
    expect(headersMatch({ 'x-match': xm('any'), format: s('pdf'), type: s('log') }, msg)).toBe(true);
    expect(headersMatch({ 'x-match': xm('any'), format: s('zip'), type: s('log') }, msg)).toBe(false);
  });

  it('all and any ignore binding arguments starting with x-', () => {
    expect(headersMatch({ format: s('pdf'), 'x-origin': s('us') }, msg)).toBe(true);
    expect(headersMatch({ 'x-match': xm('any'), 'x-origin': s('eu') }, msg)).toBe(false);
  });

  it('all-with-x and any-with-x include x- arguments (but never x-match itself)', () => {
    expect(headersMatch({ 'x-match': xm('all-with-x'), format: s('pdf'), 'x-origin': s('us') }, msg)).toBe(false);
    expect(headersMatch({ 'x-match': xm('all-with-x'), format: s('pdf'), 'x-origin': s('eu') }, msg)).toBe(true);
    expect(headersMatch({ 'x-match': xm('any-with-x'), 'x-origin': s('eu') }, msg)).toBe(true);
    expect(headersMatch({ 'x-match': xm('any-with-x') }, { 'x-match': s('any-with-x') })).toBe(false);
  });

  it('a binding with no arguments that count matches everything under all and nothing under any', () => {
    for (const headers of [undefined, {}, msg]) {
      expect(headersMatch({}, headers)).toBe(true);
      expect(headersMatch({ 'x-match': xm('all'), 'x-only': s('ignored') }, headers)).toBe(true);
      expect(headersMatch({ 'x-match': xm('any') }, headers)).toBe(false);
      expect(headersMatch({ 'x-match': xm('any-with-x') }, headers)).toBe(false);
    }
  });

  it('a message without headers matches no binding that has arguments', () => {
    expect(headersMatch({ a: s('1') }, undefined)).toBe(false);
    expect(headersMatch({ 'x-match': xm('any'), a: VOID }, undefined)).toBe(false);
  });

  it('a void argument matches a header with that name and any value', () => {
    expect(headersMatch({ format: VOID }, msg)).toBe(true);
    expect(headersMatch({ format: VOID }, { format: VOID })).toBe(true);
    expect(headersMatch({ format: VOID }, { other: s('pdf') })).toBe(false);
    expect(headersMatch({ format: s('pdf') }, { format: VOID })).toBe(false);
  });

  it('does not mistake Object.prototype members for headers', () => {
    expect(headersMatch({ constructor: VOID }, {})).toBe(false);
    expect(headersMatch({ toString: VOID }, { toString: s('x') })).toBe(true);
  });
});

describe('headers: comparing values as RabbitMQ does', () => {
  const i8 = (value: number): FieldValue => ({ type: 'int8', value });
  const i64 = (value: number | bigint): FieldValue => ({ type: 'int64', value });
  const u16 = (value: number): FieldValue => ({ type: 'uint16', value });
  const u32 = (value: number): FieldValue => ({ type: 'uint32', value });
  const ts = (value: number): FieldValue => ({ type: 'timestamp', value });
  const flt = (value: number): FieldValue => ({ type: 'float', value });
  const dbl = (value: number): FieldValue => ({ type: 'double', value });
  const bin = (value: string | number[]): FieldValue => ({ type: 'bytes', value: Buffer.from(value as string) });
  const bool = (value: boolean): FieldValue => ({ type: 'bool', value });
  const dec = (scale: number, value: number): FieldValue => ({ type: 'decimal', value: { scale, value } });
  const arr = (...value: FieldValue[]): FieldValue => ({ type: 'array', value });
  const tbl = (value: FieldTable): FieldValue => ({ type: 'table', value });

  const yes: [string, FieldValue, FieldValue][] = [
    ['int8 5 and int32 5', i8(5), i32(5)],
    ['uint16 7 and int64 7', u16(7), i64(7)],
    ['int64 2^60 as bigint and as bigint', i64(2n ** 60n), i64(2n ** 60n)],
    ['int32 3 and int64 3n', i32(3), i64(3n)],
    ['timestamp 1700000000 and uint32 1700000000', ts(1700000000), u32(1700000000)],
    ['timestamp and the same timestamp', ts(1700000000), ts(1700000000)],
    ['float 0.5 and double 0.5', flt(0.5), dbl(0.5)],
    ["string 'abc' and bytes 'abc'", s('abc'), bin('abc')],
    ["bytes 'é' and string 'é'", bin('é'), s('é')],
    ['decimal 2/314 and decimal 2/314', dec(2, 314), dec(2, 314)],
    ['bool true and bool true', bool(true), bool(true)],
    ['arrays of the same typed values', arr(i32(1), s('a')), arr(i32(1), s('a'))],
    ['an empty array and an empty table (both the empty Erlang list)', arr(), tbl({})],
    ['tables with the same keys in the same order', tbl({ a: i32(1), b: s('x') }), tbl({ a: i32(1), b: s('x') })],
  ];
  for (const [what, binding, header] of yes) {
    it(`matches ${what}`, () => expect(headerValueMatches(binding, header)).toBe(true));
  }

  const no: [string, FieldValue, FieldValue][] = [
    ['int32 5 and double 5.0 (an integer never equals a float)', i32(5), dbl(5)],
    ['int32 5 and int32 6', i32(5), i32(6)],
    ['int64 2^60 and 2^60 + 1', i64(2n ** 60n), i64(2n ** 60n + 1n)],
    ['float 0.1 (rounded to 32 bits) and double 0.1', flt(Math.fround(0.1)), dbl(0.1)],
    ["string '1' and int32 1", s('1'), i32(1)],
    ['bool true and int8 1', bool(true), i8(1)],
    ['bytes that are not UTF-8 and any string', bin([0xff]), s('\ufffd')],
    ["string 'ab' and bytes 'abc'", s('ab'), bin('abc')],
    ['decimal 1/5 and decimal 2/50 (no normalising)', dec(1, 5), dec(2, 50)],
    ['decimal 0/5 and int32 5', dec(0, 5), i32(5)],
    ['arrays whose elements differ only in integer width', arr(i8(1)), arr(i32(1))],
    ['arrays whose elements are string and bytes', arr(s('a')), arr(bin('a'))],
    ['arrays of different lengths', arr(i32(1)), arr(i32(1), i32(1))],
    ['tables with the same entries in another order', tbl({ a: i32(1), b: i32(2) }), tbl({ b: i32(2), a: i32(1) })],
    ['a table and an array that are not empty', tbl({ a: i32(1) }), arr(i32(1))],
  ];
  for (const [what, binding, header] of no) {
    it(`does not match ${what}`, () => expect(headerValueMatches(binding, header)).toBe(false));
  }
});

describe('headers routing table', () => {
  it('routes each message to the bindings its headers satisfy, ignoring the routing key', () => {
    const t = new HeadersRoutingTable<Dest>();
    const pdf = dest('pdf');
    const reports = dest('reports');
    const anyEu = dest('any-eu');
    t.bind(pdf, '', { format: s('pdf') });
    t.bind(reports, 'ignored', { 'x-match': xm('all'), format: s('pdf'), type: s('report') });
    t.bind(anyEu, '', { 'x-match': xm('any-with-x'), 'x-region': s('eu'), format: s('zip') });
    expect(routed(t, 'whatever', { format: s('pdf'), type: s('report') })).toEqual([pdf, reports]);
    expect(routed(t, '', { format: s('pdf'), 'x-region': s('eu') })).toEqual([pdf, anyEu]);
    expect(routed(t, '', undefined)).toEqual([]);
  });

  it('compiles at bind time from the arguments given, and unbinds by the same arguments', () => {
    const t = new HeadersRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, '', { a: s('1') });
    t.bind(q, '', { 'x-match': xm('any'), a: s('2'), b: s('3') });
    expect(routed(t, '', { a: s('1') })).toEqual([q]);
    expect(routed(t, '', { b: s('3') })).toEqual([q]);
    expect(t.unbind(q, '', { b: s('3'), a: s('2'), 'x-match': xm('any') })).toBe(true);
    expect(routed(t, '', { b: s('3') })).toEqual([]);
    expect(t.size).toBe(1);
  });
});
