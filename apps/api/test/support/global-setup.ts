import Redis from 'ioredis';
import { Client } from 'pg';
import { ensurePostgres } from '../../src/common/preflight/postgres.preflight';
import { runMigrations } from '../../src/database/run-migrations';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './test-env';

async function dropTestDatabase(): Promise<void> {
  const admin = new URL(TEST_DATABASE_URL);
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

async function flushTestRedis(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}

// A fresh database, created and migrated the way `pnpm start` does it, and an empty Redis db.
export async function setup(): Promise<void> {
  await dropTestDatabase();
  await ensurePostgres(TEST_DATABASE_URL);
  await runMigrations(TEST_DATABASE_URL);
  await flushTestRedis();
}

export async function teardown(): Promise<void> {
  await flushTestRedis();
  await dropTestDatabase();
}
