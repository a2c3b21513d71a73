import { describe, expect, it } from 'vitest';
import { BindingEntry, BindingIndex, Bucket } from '../../../../src/core/exchange/routing-table.js';

describe('Bucket', () => {
  it('swap-removes in O(1) and keeps destinations parallel to entries', () => {
    const b = new Bucket<string, BindingEntry<string>>();
    const es = ['a', 'b', 'c', 'd'].map((d) => new BindingEntry(d, '', {}));
    for (const e of es) b.add(e);
    b.remove(es[1]!);
    expect(b.destinations).toEqual(['a', 'd', 'c']);
    expect(b.entries.map((e) => e.slot)).toEqual([0, 1, 2]);
    b.remove(es[1]!); // not in the bucket any more: nothing happens
    expect(b.length).toBe(3);
    b.remove(es[2]!);
    b.remove(es[0]!);
    b.remove(es[3]!);
    expect(b.length).toBe(0);
    expect(b.destinations).toEqual([]);
  });

  it('ignores an entry that belongs to another bucket', () => {
    const one = new Bucket<string, BindingEntry<string>>();
    const two = new Bucket<string, BindingEntry<string>>();
    const a = new BindingEntry('a', '', {});
    const b = new BindingEntry('b', '', {});
    one.add(a);
    two.add(b);
    one.remove(b);
    expect(one.destinations).toEqual(['a']);
  });
});

describe('BindingIndex', () => {
  it('finds by destination, key and arguments, and forgets a destination with its last binding', () => {
    const idx = new BindingIndex<string, BindingEntry<string>>();
    const e1 = new BindingEntry('q', 'k', {});
    const e2 = new BindingEntry('q', 'k', { a: { type: 'bool', value: true } });
    idx.add(e1);
    idx.add(e2);
    expect(idx.find('q', 'k', {})).toBe(e1);
    expect(idx.find('q', 'k', { a: { type: 'bool', value: true } })).toBe(e2);
    expect(idx.find('q', 'k', { a: { type: 'bool', value: false } })).toBeUndefined();
    expect(idx.find('q', 'other', {})).toBeUndefined();
    idx.remove(e1);
    expect(idx.has('q')).toBe(true);
    idx.remove(e2);
    expect(idx.has('q')).toBe(false);
    expect(idx.size).toBe(0);
  });

  it('removeAll returns what it removed', () => {
    const idx = new BindingIndex<string, BindingEntry<string>>();
    idx.add(new BindingEntry('q', 'a', {}));
    idx.add(new BindingEntry('q', 'b', {}));
    idx.add(new BindingEntry('r', 'a', {}));
    expect(idx.removeAll('q').map((e) => e.routingKey).sort()).toEqual(['a', 'b']);
    expect(idx.size).toBe(1);
    expect(idx.removeAll('q')).toEqual([]);
  });
});
