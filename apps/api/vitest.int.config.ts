import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { reporting } from '../../vitest.reporters.mjs';
import { INT_WORKERS } from './test/support/int-workers';

// Integration tests: real PostgreSQL and Redis. Two files at a time, each worker with a test
// database and a Redis db index of its own (test/support/test-env.ts); most of their time is
// spent waiting (Kommo's pace, provider latency, retries), not computing.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    ...reporting('api-integration'),
    name: 'api:int',
    include: ['test/integration/**/*.int-spec.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: true,
    maxWorkers: INT_WORKERS,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
