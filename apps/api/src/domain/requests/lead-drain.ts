import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool, type PoolClient } from 'pg';
import { AppConfig } from '../../config/app-config';
import { guardPool } from '../../database/pool-guard';
import { POOL_OPTIONS } from '../../database/pool-options';
import { type AiRequestRow } from './ai-request.entity';
import { leadLockKey } from './lead-lock';
import { LeadLocksRepository } from './lead-locks.repository';
import { RequestsRepository } from './requests.repository';

export type RequestHandler = (row: AiRequestRow) => Promise<void>;

/**
 * One worker at a time per lead, across processes: a PostgreSQL session advisory lock, which
 * the server drops by itself when a killed worker's connection goes. Whoever holds the lock
 * answers the lead's pending requests oldest first, so answers keep the order messages came in.
 *
 * The locks live on a pool of their own, one connection per concurrent job: held on the app's
 * pool they would starve the queries the locked work needs.
 */
@Injectable()
export class LeadDrain implements OnModuleDestroy {
  private pool: Pool | undefined;

  constructor(
    private readonly store: RequestsRepository,
    private readonly locks: LeadLocksRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * Runs `handle` for each pending request of the lead while holding its lock. Returns false
   * when another worker holds it: that worker re-checks for pending rows after unlocking, so
   * this request is not stranded.
   */
  async drain(installationId: string, leadId: number, handle: RequestHandler): Promise<boolean> {
    let ran = false;
    for (;;) {
      const held = await this.withLock(leadLockKey(installationId, leadId), async () => {
        let previous: string | undefined;
        for (;;) {
          const next = await this.store.nextPending(installationId, leadId);
          if (!next) return;
          // A handler returns only after moving the row on; the same row twice means a bug.
          if (next.id === previous) throw new Error(`request ${next.id} did not move on`);
          previous = next.id;
          await handle(next);
        }
      });
      if (!held) return ran;
      ran = true;
      // A request stored while we unlocked may have seen the lock taken and left it to us.
      if (!(await this.store.nextPending(installationId, leadId))) return ran;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.end();
  }

  private lockPool(): Pool {
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: this.config.get('DATABASE_URL'),
        ...POOL_OPTIONS,
        max: this.config.get('AI_WORKER_CONCURRENCY'),
      });
      guardPool(this.pool, 'lead-locks');
    }
    return this.pool;
  }

  private async withLock(key: string, body: () => Promise<void>): Promise<boolean> {
    const client: PoolClient = await this.lockPool().connect();
    let locked = false;
    let broken: Error | undefined;
    try {
      locked = await this.locks.tryLock(client, key);
      if (!locked) return false;
      await body();
      return true;
    } finally {
      if (locked) {
        try {
          await this.locks.unlock(client, key);
        } catch (error) {
          broken = error as Error;
        }
      }
      // Released with an error, pg closes the connection (and PostgreSQL drops its locks)
      // instead of pooling it still locked.
      client.release(broken);
    }
  }
}
