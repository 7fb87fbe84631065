import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ENTITIES } from '../../src/entities';
import { TEST_DATABASE_URL } from '../support/test-env';

// Statements about constraints and indexes only: the migrations own those (CHECKs, named
// uniques, foreign keys, partial indexes) and the entities do not repeat them all.
const CONSTRAINT_ONLY = /\b(CONSTRAINT|INDEX)\b/i;

/** What TypeORM would run to make the database match the entities, column changes only. */
async function columnDrift(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query.trim()).filter((query) => !CONSTRAINT_ONLY.test(query));
}

// The entities are the typed source of every row the repositories read: a column renamed or
// retyped in a migration (or an entity) without the other shows here, not in production.
describe('schema drift', () => {
  const ds = new DataSource({ ...dataSourceOptions(TEST_DATABASE_URL, 2), entities: ENTITIES });

  beforeAll(async () => {
    await ds.initialize();
    // The test setup migrated this database; run any migration a file before us undid.
    await ds.runMigrations();
  });
  afterAll(async () => {
    await ds.destroy();
  });

  it('lists an entity for every table of the schema', async () => {
    const rows: { table_name: string }[] = await ds.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`,
    );
    const mapped = new Set(ds.entityMetadatas.map((meta) => meta.tableName));
    const unmapped = rows.map((r) => r.table_name).filter((t) => !mapped.has(t));
    expect(unmapped).toEqual([]);
  });

  it('has every entity column as the migrations made it', async () => {
    expect(await columnDrift(ds)).toEqual([]);
  });

  it('notices an entity column the database does not have', async () => {
    const meta = ds.getMetadata('installations');
    const column = meta.findColumnWithPropertyName('host');
    if (!column) throw new Error('installations.host is not mapped');
    const original = column.databaseName;
    column.databaseName = 'host_renamed';
    try {
      const drift = await columnDrift(ds);
      expect(drift.some((query) => query.includes('"host_renamed"'))).toBe(true);
    } finally {
      column.databaseName = original;
    }
    expect(await columnDrift(ds)).toEqual([]);
  });
});
