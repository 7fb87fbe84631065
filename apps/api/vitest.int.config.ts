import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { reporting } from '../../vitest.reporters.mjs';

// Integration tests: real PostgreSQL and Redis. One file at a time because they share a test
// database and a Redis db index; each file cleans up what it made.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    ...reporting('api-integration'),
    name: 'api:int',
    include: ['test/integration/**/*.int-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
