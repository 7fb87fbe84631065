import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { reporting } from '../../vitest.reporters.mjs';
import { INT_WORKERS, SERIAL_INT_FILES } from './test/support/int-workers';

// Integration tests: real PostgreSQL and Redis. Two files at a time, each worker with a test
// database and a Redis db index of its own (test/support/test-env.ts); most of their time is
// spent waiting (Kommo's pace, provider latency, retries), not computing. `INT_SERIAL=1` runs the
// files whose assertions count timer ticks or compare latencies, alone (test:int does it after).
const serial = process.env.INT_SERIAL === '1';

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    ...reporting(serial ? 'api-integration-serial' : 'api-integration'),
    name: serial ? 'api:int-serial' : 'api:int',
    include: serial ? SERIAL_INT_FILES : ['test/integration/**/*.int-spec.ts'],
    exclude: serial ? [] : SERIAL_INT_FILES,
    globalSetup: ['test/support/global-setup.ts'],
    fileParallelism: !serial,
    maxWorkers: serial ? 1 : INT_WORKERS,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
