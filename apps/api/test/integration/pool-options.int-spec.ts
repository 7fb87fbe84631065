import { Client, Pool } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { POOL_OPTIONS } from '../../src/database/pool-options';
import { TEST_DATABASE_URL } from '../support/test-env';

// pg closes a connection idle for 10 s unless told otherwise.
const PG_DEFAULT_IDLE_MS = 10_000;

async function openConnections(pool: Pool, count: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: count }, () => pool.connect()));
  for (const client of clients) client.release();
}

async function backends(applicationName: string): Promise<number> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL pool options', () => {
  const tag = `pool-spec-${process.pid}`;
  const ours = new Pool({
    ...POOL_OPTIONS,
    max: 3,
    connectionString: TEST_DATABASE_URL,
    application_name: `${tag}-ours`,
  });
  const pgDefault = new Pool({
    max: 3,
    connectionString: TEST_DATABASE_URL,
    application_name: `${tag}-default`,
  });

  afterAll(async () => {
    await Promise.all([ours.end(), pgDefault.end()]);
  });

  it('keeps idle connections open past the time pg would close them (no backend churn)', async () => {
    await Promise.all([openConnections(ours, 3), openConnections(pgDefault, 3)]);
    expect(await backends(`${tag}-ours`)).toBe(3);
    expect(await backends(`${tag}-default`)).toBe(3);

    await new Promise((resolve) => setTimeout(resolve, PG_DEFAULT_IDLE_MS + 1_000));

    expect(await backends(`${tag}-ours`)).toBe(3);
    expect(ours.totalCount).toBe(3);
    // The control: without our options the same pool has ended its backends by now.
    expect(await backends(`${tag}-default`)).toBe(0);
  }, 20_000);
});
