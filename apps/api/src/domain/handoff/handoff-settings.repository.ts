import { type HandoffSubscriptionState } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { type RawRow } from '../../database/raw-row';
import { type Installation } from '../installations/installation.entity';
import { type HandoffSetting } from './handoff-setting.entity';

type Row = RawRow<HandoffSetting, keyof HandoffSetting>;

/** The installation an account-events token belongs to, as the events route needs it. */
export type EventsTokenOwner = {
  installationId: string;
  status: Installation['status'];
  kommoAccountId: number;
  silenceMinutes: number;
};

const COLUMNS = `installation_id, silence_minutes, events_token_hash, events_token_enc,
  subscription_state, subscription_error, subscription_checked_at, created_at`;

function toSetting(row: Row): HandoffSetting {
  return {
    installationId: row.installation_id,
    silenceMinutes: row.silence_minutes,
    eventsTokenHash: row.events_token_hash,
    eventsTokenEnc: row.events_token_enc,
    subscriptionState: row.subscription_state,
    subscriptionError: row.subscription_error,
    subscriptionCheckedAt: row.subscription_checked_at,
    createdAt: row.created_at,
  };
}

/** handoff_settings: one row per installation (see HandoffSetting). */
@Injectable()
export class HandoffSettingsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Keeps an existing row: its token is the destination Kommo already posts to. */
  async insertIfMissing(
    row: Pick<HandoffSetting, 'installationId' | 'eventsTokenHash' | 'eventsTokenEnc'>,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO handoff_settings (installation_id, events_token_hash, events_token_enc)
       VALUES ($1, $2, $3) ON CONFLICT (installation_id) DO NOTHING`,
      [row.installationId, row.eventsTokenHash, row.eventsTokenEnc],
    );
  }

  async find(installationId: string): Promise<HandoffSetting | undefined> {
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM handoff_settings WHERE installation_id = $1`,
      [installationId],
    );
    return rows[0] && toSetting(rows[0]);
  }

  async findOwner(tokenHash: Buffer): Promise<EventsTokenOwner | undefined> {
    const rows: {
      installationId: string;
      status: Installation['status'];
      kommoAccountId: string;
      silenceMinutes: number;
    }[] = await this.db.query(
      `SELECT h.installation_id AS "installationId", i.status,
              i.kommo_account_id AS "kommoAccountId", h.silence_minutes AS "silenceMinutes"
         FROM handoff_settings h JOIN installations i ON i.id = h.installation_id
        WHERE h.events_token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    return row && { ...row, kommoAccountId: Number(row.kommoAccountId) };
  }

  /** The silence time in minutes; 30 for an account that has no row yet. */
  async silenceMinutes(installationId: string): Promise<number> {
    const rows: Pick<Row, 'silence_minutes'>[] = await this.db.query(
      `SELECT silence_minutes FROM handoff_settings WHERE installation_id = $1`,
      [installationId],
    );
    return rows[0]?.silence_minutes ?? 30;
  }

  async setSilence(installationId: string, minutes: number): Promise<void> {
    await this.db.query(
      `UPDATE handoff_settings SET silence_minutes = $2 WHERE installation_id = $1`,
      [installationId, minutes],
    );
  }

  async setSubscription(
    installationId: string,
    state: HandoffSubscriptionState,
    error: string | null,
    at: Date,
  ): Promise<void> {
    await this.db.query(
      `UPDATE handoff_settings
          SET subscription_state = $2, subscription_error = $3, subscription_checked_at = $4
        WHERE installation_id = $1`,
      [installationId, state, error?.slice(0, 500) ?? null, at.toISOString()],
    );
  }

  /** Part of an uninstalled account's purge: a reinstall after it gets a new events URL. */
  async deleteAllOf(manager: EntityManager, installationId: string): Promise<void> {
    await manager.query(`DELETE FROM handoff_settings WHERE installation_id = $1`, [
      installationId,
    ]);
  }
}
