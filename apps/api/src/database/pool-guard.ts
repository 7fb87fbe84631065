import { Logger } from '@nestjs/common';
import { type Pool, type PoolClient } from 'pg';
import { OncePerInterval } from '../common/logging/once-per-interval';

const NOTICE_EVERY_MS = 10_000;

/**
 * Keeps a lost PostgreSQL connection from ending the process. pg emits 'error' on the pool for
 * an idle client and on the client itself while it is checked out between queries (a lead lock
 * held during a provider call); with no listener Node ends the process. A restart or
 * `pg_terminate_backend` does exactly that (57P01). The error is logged once per interval; the
 * query in flight fails as usual, the broken client is dropped on release, and the pool opens a
 * new connection for the next query (docs/architecture.md, "Failure cases").
 */
export function guardPool(pool: Pool, name: string, logger = new Logger('PostgreSQL')): void {
  const notice = new OncePerInterval(NOTICE_EVERY_MS);
  const onError = (error: Error & { code?: string }) => {
    const quiet = notice.take();
    if (quiet === undefined) return;
    logger.warn(
      { pool: name, code: error.code, err: error.message, alsoSince: quiet },
      'PostgreSQL connection lost; the pool reconnects on its next query',
    );
  };
  const guarded = new WeakSet<PoolClient>();
  const guard = (client: PoolClient) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', onError);
  };
  pool.on('error', onError);
  pool.on('connect', guard);
  pool.on('acquire', guard);
}
