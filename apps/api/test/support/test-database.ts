import { Client } from 'pg';
import { ensurePostgres } from '../../src/common/preflight/postgres.preflight';
import { runMigrations } from '../../src/database/run-migrations';

/** Drops the database named in `databaseUrl`, sessions and all. */
export async function dropTestDatabase(databaseUrl: string): Promise<void> {
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

/** A new database, created and migrated the way `pnpm start` does it. */
export async function createMigratedDatabase(databaseUrl: string): Promise<void> {
  await dropTestDatabase(databaseUrl);
  await ensurePostgres(databaseUrl);
  await runMigrations(databaseUrl);
}
