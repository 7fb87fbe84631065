import { ensurePostgres } from './postgres.preflight';
import { ensureRedis } from './redis.preflight';
import { untilReachable, type UntilReachableOptions } from './until-reachable';

/**
 * Waits until PostgreSQL and Redis both answer in one pass. Checked one after the other, a store
 * that went down while we waited for the other (a Redis outage, then a PostgreSQL restart) was
 * found missing only when Nest connected, which ends the process (seen in `pnpm bench:chaos`).
 */
export async function untilStoresReachable(
  databaseUrl: string,
  redisUrl: string,
  options: UntilReachableOptions = {},
): Promise<void> {
  await untilReachable(async () => {
    await ensurePostgres(databaseUrl);
    await ensureRedis(redisUrl);
  }, options);
}
