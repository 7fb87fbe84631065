import Redis from 'ioredis';
import { createMigratedDatabase, dropTestDatabase } from './test-database';
import { INT_WORKERS, storesOf } from './test-env';

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
    await createMigratedDatabase(databaseUrl);
    await flushTestRedis(redisUrl);
  }
}

export async function teardown(): Promise<void> {
  for (const { databaseUrl, redisUrl } of workers) {
    await flushTestRedis(redisUrl);
    await dropTestDatabase(databaseUrl);
  }
}
