import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { TEST_DATABASE_URL } from '../support/test-env';

async function tables(ds: DataSource): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  const ds = new DataSource(dataSourceOptions(TEST_DATABASE_URL));

  beforeAll(async () => {
    await ds.initialize();
  });
  afterAll(async () => {
    // Leave the schema fully migrated for the files that follow.
    await ds.runMigrations();
    await ds.destroy();
  });

  it('are all applied by the test setup', async () => {
    expect(await ds.showMigrations()).toBe(false);
    expect(await tables(ds)).toContain('installations');
  });

  it('each have a working down: all reverted, then all applied again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    expect(await tables(ds)).toEqual(['typeorm_migrations']);
    const ran = await ds.runMigrations();
    expect(ran).toHaveLength(MIGRATIONS.length);
    expect(await tables(ds)).toContain('installations');
  });

  it('use snake_case column names', async () => {
    const rows: { column_name: string }[] = await ds.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'installations'`,
    );
    expect(rows.map((r) => r.column_name)).toContain('kommo_account_id');
  });
  it('index every foreign key whose delete writes to the child table', async () => {
    // ON DELETE CASCADE / SET NULL look the children up once per deleted parent row; without an
    // index that is a scan each time (replay_of made deleting 75k requests take over 10 minutes).
    const unindexed: { child: string; column: string }[] = await ds.query(
      `SELECT c.conrelid::regclass::text AS child, a.attname AS column
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confdeltype IN ('c', 'n', 'd')
          AND NOT EXISTS (SELECT 1 FROM pg_index i
                           WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])`,
    );
    expect(unindexed).toEqual([]);
  });
});
