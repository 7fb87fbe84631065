// The API under test runs on its own port, database and Redis db index, so an e2e run never
// touches development data or the integration tests' state. Every port and store can be moved
// with E2E_* variables, so two Playwright runs can share the machine.
export const API_PORT = Number(process.env.E2E_API_PORT ?? 3101);
export const API_URL = `http://127.0.0.1:${API_PORT}`;

export const SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 4101);
export const SANDBOX_URL = `http://127.0.0.1:${SANDBOX_PORT}`;

export const DATABASE_URL =
  process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gpt_bridge_e2e';

// The integration the sandbox plays; test-only values, set on the sandbox by `configureSandbox`.
export const CLIENT_ID = '6c6f63616c2d6532-6500-4000-8000-000000000001';
export const CLIENT_SECRET = 'e2e-client-secret-not-a-real-one';

export const API_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: String(API_PORT),
  PUBLIC_URL: API_URL,
  LOG_LEVEL: 'warn',
  DATABASE_URL,
  REDIS_URL: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/2',
  REDIS_PREFIX: 'e2e',
  // A fixed, test-only key: e2e data is thrown away.
  ENCRYPTION_KEYS: `e2e:${Buffer.alloc(32, 1).toString('base64')}`,
  KOMMO_CLIENT_ID: CLIENT_ID,
  KOMMO_CLIENT_SECRET: CLIENT_SECRET,
  KOMMO_API_URL_TEMPLATE: `${SANDBOX_URL}/a/{subdomain}`,
  KOMMO_CONSENT_URL: `${SANDBOX_URL}/oauth`,
  KOMMO_ACCOUNT_LOOKUP_URL: `${SANDBOX_URL}/central`,
  // Every spec installs accounts of its own; the production budget is for forged callbacks.
  KOMMO_TOKEN_BUDGET_TOTAL: '1000',
  // The widget host page's origin stands in for https://{subdomain}.kommo.com.
  WIDGET_EXTRA_ORIGINS: SANDBOX_URL,
  OPENAI_BASE_URL: `${SANDBOX_URL}/openai/v1`,
  DIFY_BASE_URL: `${SANDBOX_URL}/dify/v1`,
  CHATBASE_BASE_URL: `${SANDBOX_URL}/chatbase/api`,
  OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${SANDBOX_PORT}`,
  INTAKE_SWEEP_INTERVAL_MS: '1000',
  INTAKE_STALE_AFTER_MS: '5000',
  // Six seconds, so the lockout test can wait one out (the default is 15 minutes).
  ADMIN_LOCKOUT_MINUTES: '0.1',
};
