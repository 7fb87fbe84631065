import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { affectedRows, returnedRows } from '../../database/returning';
import { type RawRow } from '../../database/raw-row';
import {
  type ConversationMemory,
  type ConversationState,
} from '../../integrations/ai-providers/provider.types';
import { HELD_LEAD_LOCKS_SQL, LEAD_LOCK_SQL } from './lead-lock';
import { PURGE_DUE_SQL } from '../installations/purge-due';
import { type LeadConversation } from './lead-conversation.entity';

/** The raw SQL row of `lead_conversations` columns `K` (lead_id, int8, comes back as text). */
type Columns<K extends keyof LeadConversation> = RawRow<LeadConversation, K, { leadId: string }>;

/** Writes lead memories; `rows` yields (installation, lead, provider key, state) as VALUES or a SELECT. */
export function upsertMemorySql(rows: string): string {
  return `INSERT INTO lead_conversations (installation_id, lead_id, provider_key, state) ${rows}
    ON CONFLICT (installation_id, lead_id, provider_key)
    DO UPDATE SET state = EXCLUDED.state, updated_at = now()`;
}

/**
 * Every statement on `lead_conversations`, the per-lead provider memory (conversation ids or our
 * own history), but the upsert that rides along a request's outcome (upsertMemorySql, run by
 * RequestOutcomesRepository.saveOutcome in the outcome's statement).
 */
@Injectable()
export class ConversationsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * `providerKey` separates memories that must not mix: another Dify app or Chatbase agent is
   * another conversation.
   */
  forLead(installationId: string, leadId: number, providerKey: string): ConversationMemory {
    return {
      load: async (): Promise<ConversationState> => {
        const rows: Columns<'state'>[] = await this.db.query(
          `SELECT state FROM lead_conversations
            WHERE installation_id = $1 AND lead_id = $2 AND provider_key = $3`,
          [installationId, leadId, providerKey],
        );
        return rows[0]?.state ?? {};
      },
      save: async (state: ConversationState): Promise<void> => {
        await this.db.query(upsertMemorySql('VALUES ($1, $2, $3, $4)'), [
          installationId,
          leadId,
          providerKey,
          JSON.stringify(state),
        ]);
      },
    };
  }

  /**
   * Forgets up to `limit` conversation memories (provider conversation ids, our stored history)
   * untouched for `days`. A lead a worker is answering right now (its lock is held) is left out,
   * so the memory it is about to save is not the only one left behind.
   */
  async forgetIdle(days: number, limit: number): Promise<number> {
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

  /** Forgets one lead's memories, in a lead erase's transaction; returns how many. */
  async forgetLead(
    manager: EntityManager,
    installationId: string,
    leadId: number,
  ): Promise<number> {
    const forgotten = returnedRows<Columns<'providerKey'>>(
      await manager.query(
        `DELETE FROM lead_conversations WHERE installation_id = $1 AND lead_id = $2
         RETURNING provider_key`,
        [installationId, leadId],
      ),
    );
    return forgotten.length;
  }

  /**
   * Deletes up to `limit` memories of an installation still due for its purge (PURGE_DUE_SQL,
   * read FOR SHARE: a batch that starts after a reinstall deletes nothing).
   */
  async deletePurgeBatch(installationId: string, days: number, limit: number): Promise<number> {
    const result: unknown = await this.db.query(
      `DELETE FROM lead_conversations
        WHERE (installation_id, lead_id, provider_key) IN (
                SELECT installation_id, lead_id, provider_key FROM lead_conversations
                 WHERE installation_id = $1 LIMIT $3)
          AND EXISTS (${PURGE_DUE_SQL} FOR SHARE)`,
      [installationId, days, limit],
    );
    return affectedRows(result);
  }

  /** What a purge's batches left, in its transaction (the installation row locked). */
  async deleteAllOf(manager: EntityManager, installationId: string): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM lead_conversations WHERE installation_id = $1`, [
        installationId,
      ]),
    );
  }
}
