import { defineConfig } from 'vitest/config';
import { reporting } from '../../vitest.reporters.mjs';

export default defineConfig({
  test: {
    ...reporting('shared-unit'),
    include: ['src/**/*.spec.ts'],
    name: 'shared',
  },
});
