import { describe, expect, it } from 'vitest';
import { TopicRoutingTable } from '../../../../src/core/exchange/topic.js';
import { dest, routed, routingTableContract, type Dest } from './routing-table-contract.js';

routingTableContract('topic', 'a.b');

function matches(pattern: string, key: string): boolean {
  const t = new TopicRoutingTable<Dest>();
  t.bind(dest('q'), pattern, {});
  return routed(t, key).length > 0;
}

describe('topic matching (RabbitMQ semantics)', () => {
  const cases: [pattern: string, key: string, expected: boolean][] = [
    ['a.b.c', 'a.b.c', true],
    ['a.b.c', 'a.b', false],
    ['a.b', 'a.b.c', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.c', false],
    ['a.*', 'a', false],
    ['a.#', 'a', true],
    ['a.#', 'a.b.c.d', true],
    ['#.c', 'c', true],
    ['#.c', 'a.b.c', true],
    ['#.c', 'a.b.c.d', false],
    ['a.#.c', 'a.c', true],
    ['a.#.c', 'a.x.y.c', true],
    ['#', 'anything.at.all', true],
    ['#.#', 'a', true],
    ['*.#', 'a', true],
    ['*.#', '', false],
    ['#.*', 'a.b', true],
    // "" is zero words: it matches '#' and the key "", not '*'.
    ['#', '', true],
    ['*', '', false],
    ['', '', true],
    ['', 'a', false],
    ['a', '', false],
    // Empty words are words.
    ['a..b', 'a..b', true],
    ['a.*.b', 'a..b', true],
    ['a.b', 'a..b', false],
    ['*', '.', false],
    ['*.*', '.', true],
    ['a.', 'a.', true],
    ['a.*', 'a.', true],
    ['a', 'a.', false],
    ['.a', '.a', true],
    ['#.a', '.a', true],
    ['*', 'a', true],
    // Only whole words are wildcards.
    ['a*', 'ab', false],
    ['a*', 'a*', true],
    ['a#', 'a#', true],
    ['a#', 'a', false],
    // A '*' or '#' in a routing key is a literal word: wildcards match it, literals do not.
    ['a.*', 'a.#', true],
    ['a.b', 'a.*', false],
    ['#.x.#.x.#', 'x.x', true],
    ['#.x.#.x.#', 'x.y', false],
  ];
  for (const [pattern, key, expected] of cases) {
    it(`'${pattern}' ${expected ? 'matches' : 'does not match'} '${key}'`, () => {
      expect(matches(pattern, key)).toBe(expected);
    });
  }
});

describe('topic routing table', () => {
  it('routes to every matching binding, each once per binding', () => {
    const t = new TopicRoutingTable<Dest>();
    const [stocks, all, usd, nyse] = ['stocks', 'all', 'usd', 'nyse'].map(dest) as [Dest, Dest, Dest, Dest];
    t.bind(stocks, 'stock.#', {});
    t.bind(all, '#', {});
    t.bind(usd, '*.usd.*', {});
    t.bind(nyse, 'stock.usd.nyse', {});
    expect(new Set(routed(t, 'stock.usd.nyse'))).toEqual(new Set([stocks, all, usd, nyse]));
    expect(routed(t, 'stock.usd.nyse')).toHaveLength(4);
    expect(new Set(routed(t, 'bond.usd.x'))).toEqual(new Set([all, usd]));
  });

  it('builds one path per distinct key prefix and prunes it on unbind', () => {
    const t = new TopicRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, 'a.b.c', {});
    expect(t.nodeCount).toBe(3);
    t.bind(q, 'a.b.d', {});
    expect(t.nodeCount).toBe(4);
    t.bind(q, 'a.*.#', {});
    expect(t.nodeCount).toBe(6);
    t.unbind(q, 'a.b.c', {});
    expect(t.nodeCount).toBe(5);
    t.unbind(q, 'a.*.#', {});
    expect(t.nodeCount).toBe(3);
    t.unbind(q, 'a.b.d', {});
    expect(t.nodeCount).toBe(0);
  });

  it('keeps a node while another binding or child still needs it', () => {
    const t = new TopicRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, 'a', {});
    t.bind(q, 'a.b', {});
    t.unbind(q, 'a', {});
    expect(t.nodeCount).toBe(2);
    expect(routed(t, 'a.b')).toEqual([q]);
    expect(routed(t, 'a')).toEqual([]);
  });

  it("stores '#.#' on the node of '#' but keeps both bindings and their keys", () => {
    const t = new TopicRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, '#', {});
    t.bind(q, '#.#', {});
    expect(t.nodeCount).toBe(1);
    expect(t.size).toBe(2);
    expect([...t.bindings()].map((b) => b.routingKey).sort()).toEqual(['#', '#.#']);
    expect(routed(t, 'x')).toEqual([q, q]);
    expect(t.unbind(q, '#.#', {})).toBe(true);
    expect(routed(t, 'x')).toEqual([q]);
    t.unbind(q, '#', {});
    expect(t.nodeCount).toBe(0);
  });

  it('the empty binding key lives on the root and matches only the empty routing key', () => {
    const t = new TopicRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, '', {});
    expect(t.nodeCount).toBe(0);
    expect(routed(t, '')).toEqual([q]);
    expect(routed(t, 'a')).toEqual([]);
    t.unbind(q, '', {});
    expect(t.size).toBe(0);
  });

  it("stays linear on '#'-heavy patterns over long keys (exponential without memoisation)", () => {
    const t = new TopicRoutingTable<Dest>();
    const q = dest('q');
    t.bind(q, '#.a.#.a.#.a.#.a.#.a.#.a.#.b', {});
    t.bind(q, '#.*.#.*.#.*.#.*.#.*.#.c', {});
    const key = Array.from({ length: 120 }, () => 'a').join('.');
    expect(routed(t, key)).toEqual([]);
    expect(routed(t, `${key}.c`)).toEqual([q]);
  });

  it('handles routing keys longer than its scratch buffers', () => {
    const t = new TopicRoutingTable<Dest>();
    const q = dest('q');
    const words = Array.from({ length: 300 }, (_, i) => `w${i % 7}`);
    t.bind(q, `${words.slice(0, 200).join('.')}.#`, {});
    expect(routed(t, words.join('.'))).toEqual([q]);
    expect(routed(t, words.slice(1).join('.'))).toEqual([]);
  });

  it('tells apart literal words that share a hash chain', () => {
    // Many sibling words under one node: whatever their hashes, each routes only its own key.
    const t = new TopicRoutingTable<Dest>();
    const qs = Array.from({ length: 2000 }, (_, i) => dest(`q${i}`));
    qs.forEach((q, i) => t.bind(q, `r.${i}`, {}));
    for (let i = 0; i < 2000; i += 97) expect(routed(t, `r.${i}`)).toEqual([qs[i]]);
    qs.forEach((q, i) => t.unbind(q, `r.${i}`, {}));
    expect(t.nodeCount).toBe(0);
  });

  it('accepts any binding key', () => {
    expect(() => new TopicRoutingTable<Dest>().validateBinding('##.**..', {})).not.toThrow();
  });
});
