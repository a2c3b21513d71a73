import { describe, expect, it } from 'vitest';
import type { FieldTable } from '../../../../src/protocol/field-table.js';
import { createRoutingTable } from '../../../../src/core/exchange/exchange-factory.js';
import type { BuiltinExchangeType } from '../../../../src/core/exchange/exchange-type.js';

export interface Dest {
  readonly name: string;
}

export const dest = (name: string): Dest => ({ name });

interface Routes<D> {
  route(routingKey: string, headers: FieldTable | undefined, out: D[]): void;
}

export function routed<D>(table: Routes<D>, key: string, headers?: FieldTable): D[] {
  const out: D[] = [];
  table.route(key, headers, out);
  return out;
}

const str = (value: string) => ({ type: 'string', value }) as const;

/**
 * What every routing table promises, whatever its type. `key` is a binding key that a message published
 * with the same routing key and no headers matches, for every type (headers: empty arguments, x-match all).
 */
export function routingTableContract(type: BuiltinExchangeType, key: string): void {
  describe(`${type}: the RoutingTable contract`, () => {
    const make = () => createRoutingTable<Dest>(type);

    it('binds once; an identical binding is refused and counted once', () => {
      const t = make();
      const q = dest('q');
      expect(t.bind(q, key, {})).toBe(true);
      expect(t.bind(q, key, {})).toBe(false);
      expect(t.size).toBe(1);
      expect(routed(t, key)).toEqual([q]);
    });

    it('treats the same key with other arguments as another binding to the same destination', () => {
      const t = make();
      const q = dest('q');
      expect(t.bind(q, key, {})).toBe(true);
      expect(t.bind(q, key, { 'x-note': str('second') })).toBe(true);
      expect(t.size).toBe(2);
      // Duplicates are the caller's to remove.
      expect(routed(t, key)).toEqual([q, q]);
      expect(t.unbind(q, key, {})).toBe(true);
      expect(routed(t, key)).toEqual([q]);
    });

    it('compares arguments in any key order but type-strictly', () => {
      const t = make();
      const q = dest('q');
      const ab: FieldTable = { 'x-a': { type: 'int8', value: 5 }, 'x-b': str('b') };
      const ba: FieldTable = { 'x-b': str('b'), 'x-a': { type: 'int8', value: 5 } };
      expect(t.bind(q, key, ab)).toBe(true);
      expect(t.bind(q, key, ba)).toBe(false);
      expect(t.bind(q, key, { 'x-a': { type: 'int32', value: 5 }, 'x-b': str('b') })).toBe(true);
      expect(t.size).toBe(2);
    });

    it('unbinds once: a second unbind and an unknown binding return false', () => {
      const t = make();
      const q = dest('q');
      const other = dest('other');
      t.bind(q, key, {});
      expect(t.unbind(other, key, {})).toBe(false);
      expect(t.unbind(q, key, { 'x-note': str('no') })).toBe(false);
      expect(t.unbind(q, key, {})).toBe(true);
      expect(t.unbind(q, key, {})).toBe(false);
      expect(t.size).toBe(0);
      expect(routed(t, key)).toEqual([]);
    });

    it('unbindAll removes every binding to one destination and leaves the others', () => {
      const t = make();
      const q = dest('q');
      const keep = dest('keep');
      t.bind(q, key, {});
      t.bind(q, key, { 'x-n': str('1') });
      t.bind(q, `${key}.more`, {});
      t.bind(keep, key, {});
      expect(t.unbindAll(q)).toBe(3);
      expect(t.unbindAll(q)).toBe(0);
      expect(t.hasBindingsTo(q)).toBe(false);
      expect(t.hasBindingsTo(keep)).toBe(true);
      expect(t.size).toBe(1);
      expect(routed(t, key)).toEqual([keep]);
    });

    it('hasBindingsTo follows bind and unbind', () => {
      const t = make();
      const q = dest('q');
      expect(t.hasBindingsTo(q)).toBe(false);
      t.bind(q, key, {});
      expect(t.hasBindingsTo(q)).toBe(true);
      t.unbind(q, key, {});
      expect(t.hasBindingsTo(q)).toBe(false);
    });

    it('destinations are compared by identity, not by value', () => {
      const t = make();
      const a = dest('same');
      const b = dest('same');
      expect(t.bind(a, key, {})).toBe(true);
      expect(t.bind(b, key, {})).toBe(true);
      expect(t.unbindAll(a)).toBe(1);
      expect(routed(t, key)).toEqual([b]);
    });

    it('lists every binding as a snapshot that survives unbinding while iterating', () => {
      const t = make();
      const q1 = dest('q1');
      const q2 = dest('q2');
      const args: FieldTable = { 'x-n': str('1') };
      t.bind(q1, key, {});
      t.bind(q2, key, args);
      const listed = [...t.bindings()];
      expect(listed).toHaveLength(2);
      expect(listed).toContainEqual({ destination: q1, routingKey: key, args: {} });
      expect(listed).toContainEqual({ destination: q2, routingKey: key, args });
      for (const b of t.bindings()) t.unbind(b.destination, b.routingKey, b.args);
      expect(t.size).toBe(0);
      expect([...t.bindings()]).toEqual([]);
    });

    it('keeps routing right through many binds and unbinds (swap-removal bookkeeping)', () => {
      const t = make();
      const qs = Array.from({ length: 50 }, (_, i) => dest(`q${i}`));
      for (const q of qs) t.bind(q, key, {});
      for (let i = 0; i < qs.length; i += 3) t.unbind(qs[i]!, key, {});
      const expected = qs.filter((_, i) => i % 3 !== 0);
      expect(new Set(routed(t, key))).toEqual(new Set(expected));
      expect(routed(t, key)).toHaveLength(expected.length);
    });
  });
}
