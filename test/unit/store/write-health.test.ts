import { describe, expect, it } from 'vitest';
import { WriteHealth } from '../../../src/store/write-health.js';

describe('WriteHealth', () => {
  it('fires once when the first file fails and once when the last failing one recovers', () => {
    const h = new WriteHealth();
    const changes: boolean[] = [];
    h.onChange = (failing) => changes.push(failing);
    const a = {};
    const b = {};
    h.recovered(a); // never failed: nothing
    h.failed(a, new Error('ENOSPC'));
    h.failed(b, new Error('ENOSPC'));
    h.failed(a, new Error('ENOSPC'));
    expect(changes).toEqual([true]);
    h.recovered(a);
    expect(h.failing).toBe(true);
    h.recovered(b);
    expect(changes).toEqual([true, false]);
    expect(h.failing).toBe(false);
  });
});
