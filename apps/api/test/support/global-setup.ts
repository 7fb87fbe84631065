import Redis from 'ioredis';
import { Client } from 'pg';
import { ensurePostgres } from '../../src/common/preflight/postgres.preflight';
import { runMigrations } from '../../src/database/run-migrations';
import { INT_WORKERS, storesOf } from './test-env';

async function dropTestDatabase(databaseUrl: string): Promise<void> {
  const admin = new URL(databaseUrl);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function flushTestRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

const workers = Array.from({ length: INT_WORKERS }, (_, i) => storesOf(i + 1));

// A fresh database per worker, created and migrated the way `pnpm start` does it, and an empty
// Redis db each.
export async function setup(): Promise<void> {
  for (const { databaseUrl, redisUrl } of workers) {
    await dropTestDatabase(databaseUrl);
    await ensurePostgres(databaseUrl);
    await runMigrations(databaseUrl);
    await flushTestRedis(redisUrl);
  }
}

export async function teardown(): Promise<void> {
  for (const { databaseUrl, redisUrl } of workers) {
    await flushTestRedis(redisUrl);
    await dropTestDatabase(databaseUrl);
  }
}
