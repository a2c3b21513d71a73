import { describe, expect, it } from 'vitest';
import { DirectRoutingTable } from '../../../../src/core/exchange/direct.js';
import { dest, routed, routingTableContract, type Dest } from './routing-table-contract.js';

routingTableContract('direct', 'orders');

describe('direct routing', () => {
  it('routes on the exact key only: no patterns, case-sensitive', () => {
    const t = new DirectRoutingTable<Dest>();
    const exact = dest('exact');
    const star = dest('star');
    t.bind(exact, 'a.b', {});
    t.bind(star, 'a.*', {});
    expect(routed(t, 'a.b')).toEqual([exact]);
    expect(routed(t, 'a.*')).toEqual([star]);
    expect(routed(t, 'A.b')).toEqual([]);
    expect(routed(t, 'a.c')).toEqual([]);
  });

  it('sends one key to every destination bound with it', () => {
    const t = new DirectRoutingTable<Dest>();
    const q1 = dest('q1');
    const q2 = dest('q2');
    t.bind(q1, 'k', {});
    t.bind(q2, 'k', {});
    t.bind(q2, 'other', {});
    expect(routed(t, 'k')).toEqual([q1, q2]);
  });

  it('treats the empty key as a key like any other', () => {
    const t = new DirectRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, '', {});
    expect(routed(t, '')).toEqual([q]);
    expect(routed(t, 'x')).toEqual([]);
  });

  it('ignores headers', () => {
    const t = new DirectRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, 'k', {});
    expect(routed(t, 'k', { a: { type: 'string', value: 'b' } })).toEqual([q]);
  });

  it('accepts any binding key and arguments, as RabbitMQ does: a pattern-looking key matches only itself', () => {
    const t = new DirectRoutingTable<Dest>();
    const args = { 'x-match': { type: 'int8', value: 1 } } as const;
    t.validateBinding('#.*', args);
    const q = dest('q');
    expect(t.bind(q, '#.*', args)).toBe(true);
    expect(routed(t, '#.*')).toEqual([q]);
    expect(routed(t, 'a.b')).toEqual([]);
  });
});
