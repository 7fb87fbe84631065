import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { affectedRows, returnedRows } from '../../database/returning';
import { type AiRequest } from './ai-request.entity';
import { PURGE_DUE_SQL } from '../installations/purge-due';

/**
 * What removing a request's texts sets: the answer, the LOG line, the error message (a provider's
 * words may quote the customer), the prompt as sent (the trace's), the lead's field values a classic webhook carried and the
 * block's data a widget_request carried. Status, kind, lead id, tokens, latency, error class,
 * counts and the continue path stay. Used by the retention job and a lead erase alike.
 */
const REMOVE_TEXTS_SET = `answer = NULL, log_line = NULL, error_message = NULL, prompt_text = NULL,
  params = CASE WHEN jsonb_typeof(params -> 'widget') = 'object'
                THEN jsonb_set(params - 'leadFields', '{widget}', (params -> 'widget') - 'data')
                ELSE params - 'leadFields' END,
  texts_removed_at = now()`;

/** Requests a worker may still be answering: the retention job leaves them alone. */
const PENDING = `('queued', 'processing', 'answered')`;

/**
 * The statements on `ai_requests` that remove customer data: the retention job's (each touches at
 * most `limit` rows and commits on its own, so no statement holds row locks or a snapshot for
 * long, and the intake's inserts, which take no lock these rows hold, never wait for one:
 * docs/architecture.md, "Retention"), a lead erase's and an uninstalled account's purge.
 */
@Injectable()
export class RequestsRetentionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Removes the texts of up to `limit` finished requests received more than `days` ago, oldest
   * first, through the partial index of finished rows that still have them (its predicate is
   * this WHERE clause, word for word). SKIP LOCKED: a row some statement holds is left for the
   * next batch rather than waited for.
   */
  async removeOldTexts(days: number, limit: number): Promise<number> {
    const result: unknown = await this.db.query(
      `WITH batch AS (
         SELECT id FROM ai_requests
          WHERE texts_removed_at IS NULL AND received_at < now() - make_interval(days => $1)
            AND status NOT IN ${PENDING}
          ORDER BY received_at
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       UPDATE ai_requests r SET ${REMOVE_TEXTS_SET} FROM batch WHERE r.id = batch.id`,
      [days, limit],
    );
    return affectedRows(result);
  }

  /**
   * A lead erase, in its transaction (the lead's lock held): removes the texts of the lead's
   * requests and ends the pending ones (`failed`, `erased`). Returns each touched row's status
   * before.
   */
  async eraseLead(
    manager: EntityManager,
    installationId: string,
    leadId: number,
  ): Promise<AiRequest['status'][]> {
    const cleared = returnedRows<{ was: AiRequest['status'] }>(
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
    return cleared.map((row) => row.was);
  }

  /**
   * Deletes up to `limit` requests of an installation still due for its purge. The
   * installation's row is read FOR SHARE: a reinstall (which updates it) waits for this batch,
   * and a batch that starts after a reinstall finds it no longer due and deletes nothing.
   */
  async deletePurgeBatch(installationId: string, days: number, limit: number): Promise<number> {
    const result: unknown = await this.db.query(
      `DELETE FROM ai_requests
        WHERE (id) IN (SELECT id FROM ai_requests WHERE installation_id = $1 LIMIT $3)
          AND EXISTS (${PURGE_DUE_SQL} FOR SHARE)`,
      [installationId, days, limit],
    );
    return affectedRows(result);
  }

  /** What a purge's batches left, in its transaction (the installation row locked). */
  async deleteAllOf(manager: EntityManager, installationId: string): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM ai_requests WHERE installation_id = $1`, [installationId]),
    );
  }
}
