import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { affectedRows } from '../../../database/returning';
import { HELD_LEAD_LOCKS_SQL, LEAD_LOCK_SQL } from '../lead-lock';

/**
 * What removing a request's texts sets: the answer, the LOG line, the error message (a provider's
 * words may quote the customer), the lead's field values a classic webhook carried and the
 * block's data a widget_request carried. Status, kind, lead id, tokens, latency, error class,
 * counts and the continue path stay. Used by the retention job and a lead erase alike.
 */
export const REMOVE_TEXTS_SET = `answer = NULL, log_line = NULL, error_message = NULL,
  params = CASE WHEN jsonb_typeof(params -> 'widget') = 'object'
                THEN jsonb_set(params - 'leadFields', '{widget}', (params -> 'widget') - 'data')
                ELSE params - 'leadFields' END,
  texts_removed_at = now()`;

/** Requests a worker may still be answering: the retention job leaves them alone. */
const PENDING = `('queued', 'processing', 'answered')`;

/**
 * The retention job's statements. Each touches at most `limit` rows and commits on its own, so
 * no statement holds row locks or a snapshot for long, and the intake's inserts (which take no
 * lock these rows hold) never wait for one (docs/architecture.md, "Retention").
 */
@Injectable()
export class RetentionStore {
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
   * Forgets up to `limit` conversation memories (provider conversation ids, our stored history)
   * untouched for `days`. A lead a worker is answering right now (its lock is held) is left out,
   * so the memory it is about to save is not the only one left behind.
   */
  async forgetIdleConversations(days: number, limit: number): Promise<number> {
    const result: unknown = await this.db.query(
      `WITH held AS MATERIALIZED (${HELD_LEAD_LOCKS_SQL}),
       batch AS (
         SELECT installation_id, lead_id, provider_key FROM lead_conversations
          WHERE updated_at < now() - make_interval(days => $1)
            AND ${LEAD_LOCK_SQL} NOT IN (SELECT key FROM held)
          LIMIT $2
          FOR UPDATE SKIP LOCKED)
       DELETE FROM lead_conversations c USING batch b
        WHERE c.installation_id = b.installation_id AND c.lead_id = b.lead_id
          AND c.provider_key = b.provider_key`,
      [days, limit],
    );
    return affectedRows(result);
  }

  /** Installations uninstalled more than `days` ago whose data is still here, oldest first. */
  async purgeDue(days: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM installations
        WHERE uninstalled_at < now() - make_interval(days => $1) AND purged_at IS NULL
        ORDER BY uninstalled_at LIMIT $2`,
      [days, limit],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Deletes up to `limit` rows of one table for an installation still due for its purge. The
   * installation's row is read FOR SHARE: a reinstall (which updates it) waits for this batch,
   * and a batch that starts after a reinstall finds it no longer due and deletes nothing.
   */
  async deleteBatchOf(
    table: 'ai_requests' | 'lead_conversations',
    installationId: string,
    days: number,
    limit: number,
  ): Promise<number> {
    const key = table === 'ai_requests' ? 'id' : 'installation_id, lead_id, provider_key';
    const result: unknown = await this.db.query(
      `DELETE FROM ${table}
        WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE installation_id = $1 LIMIT $3)
          AND EXISTS (${DUE_SQL} FOR SHARE)`,
      [installationId, days, limit],
    );
    return affectedRows(result);
  }

  /**
   * The rest of an installation's personal data, in one transaction with its row locked: what
   * the batches left (rows stored meanwhile), provider settings (keys, instructions), webhook
   * URL tokens, quota warnings (they name a lead) and who authorized. Null when a reinstall
   * came first. The installation row, its usage_daily counts and the audit log stay.
   */
  async finishPurge(
    installationId: string,
    days: number,
  ): Promise<{ requests: number; conversations: number } | null> {
    return this.db.transaction(async (manager) => {
      const due: unknown[] = await manager.query(`${DUE_SQL} FOR UPDATE`, [installationId, days]);
      if (due.length === 0) return null;
      const of = async (sql: string) => affectedRows(await manager.query(sql, [installationId]));
      const requests = await of(`DELETE FROM ai_requests WHERE installation_id = $1`);
      const conversations = await of(`DELETE FROM lead_conversations WHERE installation_id = $1`);
      await of(`DELETE FROM provider_settings WHERE installation_id = $1`);
      await of(`DELETE FROM webhook_tokens WHERE installation_id = $1`);
      await of(`DELETE FROM quota_warnings WHERE installation_id = $1`);
      await of(
        `UPDATE installations
            SET purged_at = now(), access_token_enc = NULL, refresh_token_enc = NULL,
                token_expires_at = NULL, token_user_id = NULL, token_user_is_admin = NULL,
                auth_error = NULL, updated_at = now()
          WHERE id = $1`,
      );
      return { requests, conversations };
    });
  }
}

/** The installation ($1) is uninstalled for more than $2 days and not purged yet. */
const DUE_SQL = `SELECT 1 FROM installations
  WHERE id = $1 AND uninstalled_at < now() - make_interval(days => $2) AND purged_at IS NULL`;
