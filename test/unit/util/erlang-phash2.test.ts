import { describe, expect, it } from 'vitest';
import { phash2, type ErlangTerm } from '../../../src/util/erlang-phash2.js';

const bin = (s: string | number[]): ErlangTerm => ({ t: 'binary', v: typeof s === 'string' ? Buffer.from(s) : Uint8Array.from(s) });
const atom = (v: string): ErlangTerm => ({ t: 'atom', v });
const int = (v: number | bigint): ErlangTerm => ({ t: 'integer', v });
const flt = (v: number): ErlangTerm => ({ t: 'float', v });
const list = (...v: ErlangTerm[]): ErlangTerm => ({ t: 'list', v });
const tuple = (...v: ErlangTerm[]): ErlangTerm => ({ t: 'tuple', v });
const row = (k: string, type: string, v: ErlangTerm): ErlangTerm => tuple(bin(k), atom(type), v);

// Each value printed by Erlang/OTP 25 (erts 13.1.5): io:format("~w", [erlang:phash2(T, 1 bsl 32)]).
const VECTORS: ReadonlyArray<[string, ErlangTerm, number]> = [
  ['<<>>', bin(''), 147926629],
  ['<<"a">>', bin('a'), 1589197455],
  ['<<"hello world!">>', bin('hello world!'), 965223795],
  ['36 bytes', bin('0123456789abcdefghijklmnopqrstuvwxyz'), 3446931917],
  ['bytes 0..255', bin(Array.from({ length: 256 }, (_, i) => i)), 4163814291],
  ['abc', atom('abc'), 26499],
  ['true', atom('true'), 506293],
  ['longstr', atom('longstr'), 56945346],
  ['undefined', atom('undefined'), 180132084],
  ['0', int(0), 3175731469],
  ['1', int(1), 539485162],
  ['-1', int(-1), 1117813597],
  ['5', int(5), 676967202],
  ['2^27-1', int(134217727), 4273352567],
  ['2^27', int(134217728), 2562491755],
  ['-2^27', int(-134217728), 874979335],
  ['-2^27-1', int(-134217729), 1418916782],
  ['2^32', int(4294967296), 2108323275],
  ['2^59-1 (small)', int(576460752303423487n), 1638133000],
  ['2^59 (bignum)', int(576460752303423488n), 2442888721],
  ['-2^63', int(-9223372036854775808n), 1736826119],
  ['2^64', int(18446744073709551616n), 2519041713],
  ['1.5', flt(1.5), 2023646235],
  ['0.0', flt(0), 423528920],
  ['-0.0', flt(-0), 423528920],
  ['-2.25', flt(-2.25), 2254282282],
  ['1.0e300', flt(1e300), 387524106],
  ['[]', list(), 3468870702],
  ['[1,2,3]', list(int(1), int(2), int(3)), 4186538188],
  ['[1,2,3,4,5]', list(int(1), int(2), int(3), int(4), int(5)), 3824152778],
  ['[300]', list(int(300)), 3723642275],
  ['[a]', list(atom('a')), 1634476877],
  ['[<<"x">>,1]', list(bin('x'), int(1)), 1869447378],
  ['{}', tuple(), 221703996],
  ['{a}', tuple(atom('a')), 2853905094],
  ['{1,2}', tuple(int(1), int(2)), 4118095950],
  ['{<<"k">>,long,1}', row('k', 'long', int(1)), 2970978885],
  ['[{<<"x">>,long,1}]', list(row('x', 'long', int(1))), 4135160677],
  [
    'nested table and array',
    list(
      row('a', 'array', list(tuple(atom('long'), int(1)), tuple(atom('long'), int(2)))),
      row('n', 'table', list(row('k', 'bool', atom('true')))),
      row('x', 'longstr', bin('y')),
    ),
    2165621710,
  ],
  [
    'decimal, void, timestamp',
    list(row('d', 'decimal', tuple(int(2), int(12345))), row('v', 'void', atom('undefined')), row('t', 'timestamp', int(1700000000))),
    2456701014,
  ],
  ['[1,a,2,3,4,5,6,b]', list(int(1), atom('a'), int(2), int(3), int(4), int(5), int(6), atom('b')), 4150438543],
];

describe('erlang:phash2', () => {
  it.each(VECTORS)('%s', (_name, term, expected) => {
    expect(phash2(term)).toBe(expected);
  });
});
