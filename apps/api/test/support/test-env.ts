import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config';
import { type Env } from '../../src/config/env.schema';

export { INT_WORKERS } from './int-workers';

// Integration tests own a database and a Redis db index of their own; development data is
// never touched, and global-setup recreates both for every run. Files run INT_WORKERS at a time
// (vitest.int.config.ts), and each worker gets its own pair: worker 1 the base names, worker k
// the database `<base>_k` and the Redis db index base + 3·(k−1) (e2e uses 2, the demo 3).
const BASE_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/gpt_bridge_test';
const BASE_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';

/** The database and Redis URLs of integration worker `worker` (1-based). */
export function storesOf(worker: number): { databaseUrl: string; redisUrl: string } {
  const db = new URL(BASE_DATABASE_URL);
  if (worker > 1) db.pathname = `${db.pathname}_${worker}`;
  const redis = new URL(BASE_REDIS_URL);
  const index = Number(redis.pathname.slice(1) || '0') + 3 * (worker - 1);
  if (index > 15) throw new Error(`Redis db index ${index} for worker ${worker} is past 15`);
  redis.pathname = `/${index}`;
  return { databaseUrl: db.toString(), redisUrl: redis.toString() };
}

const own = storesOf(Number(process.env.VITEST_POOL_ID ?? '1'));
export const TEST_DATABASE_URL = own.databaseUrl;
export const TEST_REDIS_URL = own.redisUrl;
/**
 * Each test file's Redis keys under a prefix of its own (vitest loads this module once per file):
 * a turn key, a queued job or a budget an earlier file left on the same db index would otherwise
 * act in this one. The sweeper's turn key of a file with a 1 h interval held every later file's
 * sweeps on that index for 48 minutes, and their killed-worker tests waited for a sweep.
 */
export const TEST_REDIS_PREFIX = `test-${randomUUID().slice(0, 8)}`;

/** The test configuration as raw variables (for child processes), with overrides. */
export function testEnvVars(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: TEST_REDIS_PREFIX,
    ENCRYPTION_KEYS: `t1:${Buffer.alloc(32, 3).toString('base64')}`,
    // Two files run at once, each with an API and up to two worker processes, on one PostgreSQL
    // (max_connections 100). With the defaults (pools of 20, 40 lead-lock connections a worker) a
    // busy moment ran out ("sorry, too many clients already"): 8 + 10 a process keeps both
    // files' worst case under 100 (docs/scaling.md, the connection budget).
    DATABASE_POOL_SIZE: '8',
    AI_WORKER_CONCURRENCY: '10',
    ...overrides,
  };
}

export function testEnv(overrides: Record<string, string> = {}): Env {
  return loadConfig(testEnvVars(overrides));
}
