// `pnpm db:migrate`: create the database if it is missing, then apply pending migrations.
import 'reflect-metadata';
import { ensurePostgres } from '../common/preflight/postgres.preflight';
import { runOrExit } from '../common/preflight/run-preflight';
import { untilReachable } from '../common/preflight/until-reachable';
import { loadDatabaseUrl, loadDotEnv } from '../config/load-config';
import { runMigrations } from '../database/run-migrations';

async function main(): Promise<void> {
  await runOrExit(async () => {
    loadDotEnv();
    const DATABASE_URL = loadDatabaseUrl();
    await untilReachable(() => ensurePostgres(DATABASE_URL));
    const ran = await runMigrations(DATABASE_URL);
    process.stdout.write(
      ran.length === 0 ? 'migrations: up to date\n' : `migrations: applied ${ran.join(', ')}\n`,
    );
  });
}

void main();
