// The jest example's config: ESM test files as they are (no transform), in Node.
import { fileURLToPath } from 'node:url';

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: ['<rootDir>/jest.test.mjs'],
  testEnvironment: 'node',
  transform: {},
};
