import { loadConfig } from '../../src/config/load-config';
import { type Env } from '../../src/config/env.schema';

// Integration tests own a database and a Redis db index of their own; development data is
// never touched, and global-setup recreates both for every run.
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gpt_bridge_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';

/** The test configuration as raw variables (for child processes), with overrides. */
export function testEnvVars(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: 'test',
    ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 3).toString('base64')}`,
    ...overrides,
  };
}

export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadConfig(testEnvVars(overrides));
}
