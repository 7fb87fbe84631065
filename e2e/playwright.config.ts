import { defineConfig } from '@playwright/test';
import { API_ENV, API_URL, SANDBOX_PORT, SANDBOX_URL } from './support/test-env.js';

// Debian's Chromium, never a downloaded browser: this machine has no internet.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: './specs',
  outputDir: './artifacts/test-results',
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'artifacts/report' }],
    ...(process.env.TEST_REPORTS_DIR
      ? [['json', { outputFile: `${process.env.TEST_REPORTS_DIR}/e2e.json` }] as const]
      : []),
  ],
  use: {
    baseURL: API_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    },
  },
  webServer: [
    {
      command: 'node ../packages/kommo-sandbox/dist/cli.js',
      url: `${SANDBOX_URL}/_sandbox/health`,
      env: { SANDBOX_PORT: String(SANDBOX_PORT), SANDBOX_HOST: '127.0.0.1' },
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // Empty stores, migrations, then the worker (queue consumers: code exchange, fields, AI
      // requests) next to the API; Playwright stops the whole process group at the end.
      command: [
        'node support/reset-stores.mjs',
        'node ../apps/api/dist/cli/migrate.js',
        '(node ../apps/api/dist/worker.js & node ../apps/api/dist/main.js; wait)',
      ].join(' && '),
      url: `${API_URL}/health`,
      env: API_ENV,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
