import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { affectedRows } from '../../../database/returning';
import { ConversationsRepository } from '../conversations.repository';
import { PURGE_DUE_SQL } from '../purge-due';
import { RequestsRetentionRepository } from '../requests-retention.repository';

/**
 * The purge's statements on tables other modules own (installations, provider_settings,
 * webhook_tokens, quota_warnings); the requests' and memories' are in their repositories.
 */
@Injectable()
export class RetentionStore {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly requests: RequestsRetentionRepository,
    private readonly conversations: ConversationsRepository,
  ) {}

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
      const due: unknown[] = await manager.query(`${PURGE_DUE_SQL} FOR UPDATE`, [
        installationId,
        days,
      ]);
      if (due.length === 0) return null;
      const of = async (sql: string) => affectedRows(await manager.query(sql, [installationId]));
      const requests = await this.requests.deleteAllOf(manager, installationId);
      const conversations = await this.conversations.deleteAllOf(manager, installationId);
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
