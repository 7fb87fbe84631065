// The API under test runs on its own port, database and Redis db index, so an e2e run never
// touches development data or the integration tests' state.
export const API_PORT = Number(process.env.E2E_API_PORT ?? 3101);
export const API_URL = `http://127.0.0.1:${API_PORT}`;

export const SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 4101);
export const SANDBOX_URL = `http://127.0.0.1:${SANDBOX_PORT}`;

export const API_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: String(API_PORT),
  PUBLIC_URL: API_URL,
  LOG_LEVEL: 'warn',
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gpt_bridge_e2e',
  REDIS_URL: process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379/2',
  REDIS_PREFIX: 'e2e',
  // A fixed, test-only key: e2e data is thrown away.
  ENCRYPTION_KEYS: `e2e:${Buffer.alloc(32, 1).toString('base64')}`,
};
