import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateMethodsSource } from '../../../scripts/codec-generator.js';
import { loadSpecJson } from './spec-model.js';

const GENERATED = fileURLToPath(new URL('../../../src/protocol/methods.generated.ts', import.meta.url));

describe('methods.generated.ts', () => {
  it('is exactly what scripts/gen-codec.ts generates from the spec (run `npm run gen:codec` if not)', () => {
    const committed = readFileSync(GENERATED, 'utf8');
    const fresh = generateMethodsSource(loadSpecJson());
    expect(fresh === committed).toBe(true);
  });

  it('starts with the do-not-edit and licence header', () => {
    const source = generateMethodsSource(loadSpecJson());
    expect(source.startsWith('// GENERATED FILE - DO NOT EDIT.')).toBe(true);
    expect(source.slice(0, 400)).toContain('MIT');
  });

  it('rejects a spec argument of unknown type', () => {
    const spec = {
      domains: [],
      classes: [{ id: 1, name: 'x', methods: [{ id: 1, name: 'y', arguments: [{ name: 'z', type: 'quux' }] }] }],
    };
    expect(() => generateMethodsSource(spec)).toThrow(/unknown type quux/);
    expect(() => generateMethodsSource({})).toThrow(TypeError);
  });
});
