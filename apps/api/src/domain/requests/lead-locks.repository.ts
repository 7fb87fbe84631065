import { Injectable } from '@nestjs/common';
import { type PoolClient } from 'pg';
import { type EntityManager } from 'typeorm';
import { leadLockKey } from './lead-lock';

/**
 * The statements on a lead's advisory lock (lead-lock.ts): the session lock a worker answers the
 * lead under, taken on LeadDrain's own pool, and the same lock held for one transaction.
 */
@Injectable()
export class LeadLocksRepository {
  /** Takes the session lock `key` on `client` if it is free; false when someone holds it. */
  async tryLock(client: PoolClient, key: string): Promise<boolean> {
    const result = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
      [key],
    );
    return result.rows[0]?.locked === true;
  }

  async unlock(client: PoolClient, key: string): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [key]);
  }

  /**
   * Holds the lead's lock until `manager`'s transaction ends, waiting at most `wait` (a
   * PostgreSQL interval, e.g. `5s`) for a worker that holds it; false when the wait ran out.
   */
  async lockInTransaction(
    manager: EntityManager,
    installationId: string,
    leadId: number,
    wait: string,
  ): Promise<boolean> {
    await manager.query(`SET LOCAL lock_timeout = '${wait}'`);
    try {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        leadLockKey(installationId, leadId),
      ]);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      return false;
    }
  }
}
