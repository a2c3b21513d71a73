import { describe, expect, it } from 'vitest';
import { FanoutRoutingTable } from '../../../../src/core/exchange/fanout.js';
import { dest, routed, routingTableContract, type Dest } from './routing-table-contract.js';

routingTableContract('fanout', '');

describe('fanout routing', () => {
  it('sends every message to every binding whatever its key', () => {
    const t = new FanoutRoutingTable<Dest>();
    const q1 = dest('q1');
    const q2 = dest('q2');
    t.bind(q1, '', {});
    t.bind(q2, 'ignored.key', {});
    expect(routed(t, '')).toEqual([q1, q2]);
    expect(routed(t, 'anything')).toEqual([q1, q2]);
  });

  it('keeps the key in the binding identity: two keys to one queue are two bindings', () => {
    const t = new FanoutRoutingTable<Dest>();
    const q = dest('q');
    expect(t.bind(q, 'a', {})).toBe(true);
    expect(t.bind(q, 'b', {})).toBe(true);
    expect(t.size).toBe(2);
    expect(routed(t, 'zzz')).toEqual([q, q]);
    expect(t.unbind(q, 'a', {})).toBe(true);
    expect(routed(t, 'zzz')).toEqual([q]);
  });

  it('routes nowhere when empty', () => {
    const t = new FanoutRoutingTable<Dest>();
    expect(routed(t, 'k')).toEqual([]);
  });

  it('binds 20,000 destinations and unbinds all but one', () => {
    const t = new FanoutRoutingTable<Dest>();
    const qs = Array.from({ length: 20_000 }, (_, i) => dest(`q${i}`));
    for (const q of qs) t.bind(q, '', {});
    expect(t.size).toBe(20_000);
    expect(qs.slice(0, 19_999).every((q) => t.unbind(q, '', {}))).toBe(true);
    expect(routed(t, '')).toEqual([qs[19_999]]);
  });

  it('accepts any binding key and arguments, and such a binding routes every message', () => {
    const t = new FanoutRoutingTable<Dest>();
    const args = { 'x-match': { type: 'string', value: 'no' } } as const;
    t.validateBinding('x', args);
    const q = dest('q');
    expect(t.bind(q, 'x', args)).toBe(true);
    expect(routed(t, 'anything else')).toEqual([q]);
  });
});
