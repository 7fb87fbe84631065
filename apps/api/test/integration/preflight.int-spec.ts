import { type Server } from 'node:net';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePostgres } from '../../src/common/preflight/postgres.preflight';
import { PreflightError } from '../../src/common/preflight/preflight.errors';
import { ensureRedis } from '../../src/common/preflight/redis.preflight';
import { untilReachable } from '../../src/common/preflight/until-reachable';
import { untilStoresReachable } from '../../src/common/preflight/until-stores-reachable';
import { DisposableRedis, freePort } from '../support/redis-server';
import { forwardPort } from '../support/tcp-proxy';
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

// A process started during an outage (issue 19 point 12): it waits, says so once per interval,
// and goes on when the dependency answers; wrong settings still end it at once.
describe('untilReachable', () => {
  it('waits for PostgreSQL that starts listening 2 s later, saying so once', async () => {
    const port = await freePort();
    const url = new URL(TEST_DATABASE_URL);
    const target = new URL(TEST_DATABASE_URL);
    url.port = String(port);
    const lines: string[] = [];
    let proxy: Server | undefined;
    const later = setTimeout(
      () => void forwardPort(port, target, 5432).then((s) => (proxy = s)),
      2_000,
    );
    const started = Date.now();
    try {
      await untilReachable(() => ensurePostgres(url.toString()), {
        firstDelayMs: 100,
        maxDelayMs: 400,
        noticeEveryMs: 60_000,
        say: (line) => lines.push(line),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(lines[0]).toMatch(
        new RegExp(`PostgreSQL is not reachable at 127.0.0.1:${port}.*Waiting`),
      );
      expect(lines.slice(1)).toEqual(['preflight: reachable again; starting']);
    } finally {
      clearTimeout(later);
      await new Promise((resolve) => proxy?.close(resolve) ?? resolve(undefined));
    }
  });

  it('waits for Redis that starts 2 s later, saying so once per interval', async () => {
    const redis = new DisposableRedis(await freePort());
    const lines: string[] = [];
    const later = setTimeout(() => void redis.start(), 2_000);
    try {
      await untilReachable(() => ensureRedis(redis.url), {
        firstDelayMs: 100,
        maxDelayMs: 200,
        noticeEveryMs: 1_000,
        say: (line) => lines.push(line),
      });
      const waits = lines.filter((line) => /Redis is not reachable.*Waiting/.test(line));
      // About 2 s of tries every 0.1–0.2 s, said once a second.
      expect(waits.length).toBeGreaterThanOrEqual(1);
      expect(waits.length).toBeLessThanOrEqual(3);
    } finally {
      clearTimeout(later);
      await redis.stop();
    }
  });

  it('does not wait on wrong settings: a Redis that may evict keys ends it at once', async () => {
    const redis = new DisposableRedis(await freePort(), ['--maxmemory-policy', 'allkeys-lru']);
    await redis.start();
    const lines: string[] = [];
    try {
      await expect(
        untilReachable(() => ensureRedis(redis.url), { say: (line) => lines.push(line) }),
      ).rejects.toThrow(/noeviction/);
      expect(lines).toEqual([]);
    } finally {
      await redis.stop();
    }
  });
});

// Seen in the fault run: a worker waited for Redis, PostgreSQL went down meanwhile, and the worker
// went on when Redis answered, to exit when Nest could not connect to PostgreSQL.
describe('untilStoresReachable', () => {
  it('waits again for PostgreSQL when it goes down while Redis is awaited', async () => {
    const pgPort = await freePort();
    const target = new URL(TEST_DATABASE_URL);
    const url = new URL(TEST_DATABASE_URL);
    url.port = String(pgPort);
    let proxy: Server | undefined = await forwardPort(pgPort, target, 5432);
    const closeProxy = () =>
      new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
    const redis = new DisposableRedis(await freePort());
    const timers = [
      // PostgreSQL goes down at 0.5 s, Redis comes up at 1.5 s, PostgreSQL is back at 3 s.
      setTimeout(() => void closeProxy().then(() => (proxy = undefined)), 500),
      setTimeout(() => void redis.start(), 1_500),
      setTimeout(() => void forwardPort(pgPort, target, 5432).then((s) => (proxy = s)), 3_000),
    ];
    const started = Date.now();
    try {
      await untilStoresReachable(url.toString(), redis.url, {
        firstDelayMs: 100,
        maxDelayMs: 200,
        say: () => {},
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
      await expect(ensurePostgres(url.toString())).resolves.toBeUndefined();
    } finally {
      timers.forEach(clearTimeout);
      await closeProxy();
      await redis.stop();
    }
  });
});
