import { type LeadEraseResult } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '../../../database/returning';
import { leadLockKey } from '../lead-lock';
import { RequestError } from '../request-errors';
import { REMOVE_TEXTS_SET } from './retention.store';

export type { LeadEraseResult };

// How long an erase waits for a worker that is answering the lead right now.
const LOCK_WAIT = '5s';

/**
 * Erases one lead's data on request (support, in the admin panel): its requests' texts and its
 * conversation memory, so its next message starts a new conversation. Counts, usage and the
 * rows themselves stay. Holds the lead's lock (the one a worker answers it under), so no worker
 * saves an answer or a memory for the lead while it runs.
 */
@Injectable()
export class LeadEraser {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `record` writes the audit entry in the same transaction. */
  async erase(
    installationId: string,
    leadId: number,
    record: (manager: EntityManager, result: LeadEraseResult) => Promise<void>,
  ): Promise<LeadEraseResult> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '${LOCK_WAIT}'`);
      try {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
          leadLockKey(installationId, leadId),
        ]);
      } catch (error) {
        if ((error as { code?: string }).code !== '55P03') throw error;
        throw new RequestError(
          'lead_busy',
          'A worker is answering this lead right now; try again in a minute.',
        );
      }
      const cleared = returnedRows<{ was: string }>(
        await manager.query(
          `WITH target AS (
             SELECT id, status FROM ai_requests
              WHERE installation_id = $1 AND lead_id = $2
                AND (texts_removed_at IS NULL OR status IN ('queued', 'processing', 'answered'))
              FOR UPDATE)
           UPDATE ai_requests r
              SET ${REMOVE_TEXTS_SET},
                  status = CASE WHEN target.status IN ('queued', 'processing', 'answered')
                                THEN 'failed' ELSE r.status END,
                  error_class = CASE WHEN target.status IN ('queued', 'processing', 'answered')
                                     THEN 'erased' ELSE r.error_class END,
                  finished_at = coalesce(r.finished_at, now())
             FROM target WHERE r.id = target.id
           RETURNING target.status AS was`,
          [installationId, leadId],
        ),
      );
      const forgotten = returnedRows<unknown>(
        await manager.query(
          `DELETE FROM lead_conversations WHERE installation_id = $1 AND lead_id = $2
           RETURNING provider_key`,
          [installationId, leadId],
        ),
      );
      const result: LeadEraseResult = {
        leadId,
        requestsCleared: cleared.length,
        pendingEnded: cleared.filter((row) =>
          ['queued', 'processing', 'answered'].includes(row.was),
        ).length,
        conversationsForgotten: forgotten.length,
      };
      await record(manager, result);
      return result;
    });
  }
}
