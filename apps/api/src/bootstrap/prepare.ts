import { runOrExit } from '../common/preflight/run-preflight';
import { untilStoresReachable } from '../common/preflight/until-stores-reachable';
import { type Env } from '../config/env.schema';
import { loadConfig, loadDotEnv } from '../config/load-config';

/**
 * What every process does before Nest starts: read and validate the configuration, then check
 * PostgreSQL and Redis, waiting for them while they are down. Any other problem ends the process
 * with readable lines, not a stack trace.
 */
export async function prepare(): Promise<Env> {
  return runOrExit(async () => {
    loadDotEnv();
    const env = loadConfig();
    // Down or restarting: wait for it rather than exit (a supervisor would only start us again).
    await untilStoresReachable(env.DATABASE_URL, env.REDIS_URL);
    return env;
  });
}
