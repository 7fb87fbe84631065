/**
 * Settings every PostgreSQL pool of ours shares (TypeORM's and the worker's lead-lock pool).
 * - Fail fast instead of hanging when PostgreSQL goes away; the pool reconnects by itself.
 * - Idle connections stay open (pg closes them after 10 s by default). A pool that shrinks after a
 *   burst and grows at the next one forks and ends backends under load; on the 2-core bench
 *   machine several backends ending together took both cores for 200–400 ms, stalling acks and
 *   the worker (docs/performance.md). The pool's `max` still bounds the connections.
 */
export const POOL_OPTIONS = { connectionTimeoutMillis: 5_000, idleTimeoutMillis: 0 } as const;
