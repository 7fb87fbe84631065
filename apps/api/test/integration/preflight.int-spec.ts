import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePostgres } from '../../src/common/preflight/postgres.preflight';
import { PreflightError } from '../../src/common/preflight/preflight.errors';
import { ensureRedis } from '../../src/common/preflight/redis.preflight';
import { DisposableRedis, freePort } from '../support/redis-server';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/test-env';

const CREATED_DB = `gpt_bridge_preflight_${process.pid}`;

async function adminQuery(sql: string): Promise<{ rows: unknown[] }> {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('ensurePostgres', () => {
  afterAll(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${CREATED_DB}" WITH (FORCE)`);
  });

  it('creates the database named in DATABASE_URL when it does not exist', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${CREATED_DB}`;
    await ensurePostgres(url.toString());
    const { rows } = await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${CREATED_DB}'`);
    expect(rows).toHaveLength(1);
    // A second run finds it and changes nothing.
    await ensurePostgres(url.toString());
  });

  it('names host and port and says how to start PostgreSQL when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await ensurePostgres(`postgres://postgres@127.0.0.1:${port}/x`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreflightError);
    const message = (error as Error).message;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/connection refused/);
    expect(message).toMatch(/pg_ctlcluster|docker compose/);
    expect(message.split('\n')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('ensureRedis', () => {
  it('accepts the shared Redis (noeviction)', async () => {
    await expect(ensureRedis(TEST_REDIS_URL)).resolves.toBeUndefined();
  });

  it('names host and port and says how to start Redis when nothing listens', async () => {
    const port = await freePort();
    const error = await ensureRedis(`redis://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toMatch(
      new RegExp(`Redis is not reachable at 127.0.0.1:${port}.*redis-server`),
    );
  });

  it('refuses a Redis that may evict keys', async () => {
    const redis = new DisposableRedis(await freePort(), ['--maxmemory-policy', 'allkeys-lru']);
    await redis.start();
    try {
      await expect(ensureRedis(redis.url)).rejects.toThrow(
        /maxmemory-policy "allkeys-lru".*noeviction/,
      );
    } finally {
      await redis.stop();
    }
  });
});
