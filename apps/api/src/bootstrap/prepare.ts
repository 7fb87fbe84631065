import { ensurePostgres } from '../common/preflight/postgres.preflight';
import { ensureRedis } from '../common/preflight/redis.preflight';
import { runOrExit } from '../common/preflight/run-preflight';
import { type Env } from '../config/env.schema';
import { loadConfig, loadDotEnv } from '../config/load-config';

/**
 * What every process does before Nest starts: read and validate the configuration, then check
 * PostgreSQL and Redis. Any problem ends the process with readable lines, not a stack trace.
 */
export async function prepare(): Promise<Env> {
  return runOrExit(async () => {
    loadDotEnv();
    const env = loadConfig();
    await ensurePostgres(env.DATABASE_URL);
    await ensureRedis(env.REDIS_URL);
    return env;
  });
}
