import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.js';
import { OPTIONS, type Config } from '../../../src/config/schema.js';

describe('OPTIONS', () => {
  it('declares each key, flag and env var once', () => {
    for (const field of ['key', 'flag', 'env'] as const) {
      const names = OPTIONS.map((option) => option[field]);
      expect(new Set(names).size, field).toBe(names.length);
    }
  });

  it('names env vars WARREN_<KEY IN SNAKE CASE>', () => {
    for (const option of OPTIONS) {
      expect(option.env).toBe(`WARREN_${option.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
    }
  });

  it('has defaults that pass its own schema', () => {
    const defaults = Object.fromEntries(OPTIONS.map((option) => [option.key, option.default])) as unknown as Config;
    expect(resolveConfig(defaults)).toEqual({ ...defaults, dataDir: resolveConfig({}).dataDir });
  });

  it('has a description for every option', () => {
    for (const option of OPTIONS) expect(option.description.length, option.key).toBeGreaterThan(20);
  });
});
