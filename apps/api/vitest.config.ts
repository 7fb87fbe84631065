import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { reporting } from '../../vitest.reporters.mjs';

// Unit tests: next to the code, nothing real behind them.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    ...reporting('api-unit'),
    name: 'api:unit',
    include: ['src/**/*.spec.ts'],
  },
});
