/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { reporting } from '../../vitest.reporters.mjs';

// Library mode: one UMD file that RequireJS (Kommo's loader) can load next to script.js.
export default defineConfig({
  plugins: [react()],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    lib: {
      entry: 'src/entry.tsx',
      name: 'GptBridgeWidget',
      formats: ['umd'],
      fileName: () => 'app.js',
      // If the bundle ever imports CSS, pack.mjs ships it as style.css.
      cssFileName: 'style',
    },
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    ...reporting('widget-unit'),
    include: ['src/**/*.spec.{ts,tsx}', 'test/**/*.spec.ts'],
    name: 'widget',
  },
});
