import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores on CI machines: integration files open real sockets, keep parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
  },
});
