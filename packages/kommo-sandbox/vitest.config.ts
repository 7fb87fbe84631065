import { defineConfig } from 'vitest/config';
import { reporting } from '../../vitest.reporters.mjs';

export default defineConfig({
  test: {
    ...reporting('sandbox'),
    name: 'sandbox',
    include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
  },
});
