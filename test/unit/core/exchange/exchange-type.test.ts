import { describe, expect, it } from 'vitest';
import { createRoutingTable } from '../../../../src/core/exchange/exchange-factory.js';
import { BUILTIN_EXCHANGE_TYPES, isBuiltinExchangeType } from '../../../../src/core/exchange/exchange-type.js';
import { dest, routed, type Dest } from './routing-table-contract.js';

describe('exchange types', () => {
  it('knows the four built-in types and nothing else', () => {
    expect([...BUILTIN_EXCHANGE_TYPES].sort()).toEqual(['direct', 'fanout', 'headers', 'topic']);
    for (const t of BUILTIN_EXCHANGE_TYPES) expect(isBuiltinExchangeType(t)).toBe(true);
    for (const t of ['', 'Direct', 'x-delayed-message', 'x-consistent-hash', 'toString', 'constructor']) {
      expect(isBuiltinExchangeType(t)).toBe(false);
    }
  });

  it('creates a table that routes by its type', () => {
    const q = dest('q');
    const results = Object.fromEntries(
      BUILTIN_EXCHANGE_TYPES.map((type) => {
        const t = createRoutingTable<Dest>(type);
        t.bind(q, 'a.*', { kind: { type: 'string', value: 'x' } });
        return [type, routed(t, 'a.b', { kind: { type: 'string', value: 'x' } }).length];
      }),
    );
    // direct wants the key 'a.*' itself; fanout takes all; topic matches the pattern; headers matches kind.
    expect(results).toEqual({ direct: 0, fanout: 1, topic: 1, headers: 1 });
  });

  it('gives every call a table of its own', () => {
    const a = createRoutingTable<Dest>('fanout');
    const b = createRoutingTable<Dest>('fanout');
    a.bind(dest('q'), '', {});
    expect(b.size).toBe(0);
  });
});
