import { createRequire } from 'node:module';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Counts fdatasync/fsync calls process-wide (the log files import them from node:fs): patches the
 * CommonJS fs object and syncs the ESM bindings. Call before the broker starts; stop() restores.
 */
export function countFsyncs(): { readonly count: () => number; readonly stop: () => void } {
  const fs = createRequire(import.meta.url)('node:fs') as Record<string, (...args: unknown[]) => unknown>;
  const names = ['fdatasync', 'fsync', 'fdatasyncSync', 'fsyncSync'] as const;
  const original = Object.fromEntries(names.map((n) => [n, fs[n]])) as Record<(typeof names)[number], (...args: unknown[]) => unknown>;
  let n = 0;
  for (const name of names) {
    fs[name] = (...args: unknown[]) => {
      n++;
      return original[name](...args);
    };
  }
  syncBuiltinESMExports();
  return {
    count: () => n,
    stop: () => {
      for (const name of names) fs[name] = original[name];
      syncBuiltinESMExports();
    },
  };
}
