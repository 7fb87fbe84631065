/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { reporting } from '../../vitest.reporters.mjs';

// Served by the API under /admin; in dev, API calls go to the API on :3000.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  server: { proxy: { '/health': 'http://127.0.0.1:3000', '/admin/api': 'http://127.0.0.1:3000' } },
  test: {
    ...reporting('admin-unit'),
    include: ['src/**/*.spec.{ts,tsx}'],
    name: 'admin',
    passWithNoTests: false,
  },
});
