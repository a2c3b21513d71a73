import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../src/config/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['port', 'port', 0],
    ['prot', 'port', 1],
    ['por', 'port', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%j -> %j = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('closest', () => {
  const known = ['port', 'bind', 'dataDir', 'frameMax', 'heartbeat'];
  it('ignores case, dashes and underscores', () => {
    expect(closest('data_dir', known)).toBe('dataDir');
    expect(closest('FRAME-MAX', known)).toBe('frameMax');
  });

  it('finds typos', () => {
    expect(closest('heartbaet', known)).toBe('heartbeat');
    expect(closest('bnd', known)).toBe('bind');
  });

  it('suggests nothing for a name that is not close', () => {
    expect(closest('foo', known)).toBeUndefined();
    expect(closest('verbose', known)).toBeUndefined();
  });
});
