import { type LeadPauseSource } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { affectedRows, returnedRows } from '../../database/returning';
import { type RawRow } from '../../database/raw-row';
import { type LeadPause } from './lead-pause.entity';

type Row = RawRow<LeadPause, keyof LeadPause, { leadId: string; userId: string | null }>;

const COLUMNS = `installation_id, lead_id, source, user_id, user_name, since, last_human_at,
  resumes_at, ended_at, handback, on_off_set`;

// `p` is the stored row, $at the moment of the statement: is that pause still running?
const ACTIVE = (p: string, at: string) =>
  `(${p}.ended_at IS NULL AND (${p}.resumes_at IS NULL OR ${p}.resumes_at > ${at}))`;

// What the people wrote is kept for the handback marker; the newest lines win past this.
const HANDBACK_MAX_CHARS = 4000;

function toPause(row: Row): LeadPause {
  return {
    installationId: row.installation_id,
    leadId: Number(row.lead_id),
    source: row.source,
    userId: row.user_id === null ? null : Number(row.user_id),
    userName: row.user_name,
    since: row.since,
    lastHumanAt: row.last_human_at,
    resumesAt: row.resumes_at,
    endedAt: row.ended_at,
    handback: row.handback,
    onOffSet: row.on_off_set,
  };
}

/** lead_pauses: one row per lead, the AI's current or last pause there (see LeadPause). */
@Injectable()
export class LeadPausesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(installationId: string, leadId: number): Promise<LeadPause | undefined> {
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM lead_pauses WHERE installation_id = $1 AND lead_id = $2`,
      [installationId, leadId],
    );
    return rows[0] && toPause(rows[0]);
  }

  /**
   * A person wrote: starts a pause, or makes a running one last `silenceMinutes` past this message
   * (a pause "until resumed by hand" stays so). Adds the line to what the handback will carry.
   */
  async recordHuman(input: {
    installationId: string;
    leadId: number;
    userId: number | null;
    userName: string | null;
    at: Date;
    silenceMinutes: number;
    line: string;
  }): Promise<LeadPause> {
    const result: unknown = await this.db.query(
      `INSERT INTO lead_pauses AS p (installation_id, lead_id, source, user_id, user_name, since,
              last_human_at, resumes_at, handback)
       VALUES ($1, $2, 'team_message', $3, $4, $5::timestamptz, $5::timestamptz,
               $5::timestamptz + make_interval(mins => $6::int), $7)
       ON CONFLICT (installation_id, lead_id) DO UPDATE SET
         source = CASE WHEN ${ACTIVE('p', '$5::timestamptz')} THEN p.source ELSE 'team_message' END,
         since = CASE WHEN ${ACTIVE('p', '$5::timestamptz')} THEN p.since ELSE EXCLUDED.since END,
         user_id = EXCLUDED.user_id,
         user_name = EXCLUDED.user_name,
         last_human_at = greatest(p.last_human_at, EXCLUDED.last_human_at),
         resumes_at = CASE WHEN NOT ${ACTIVE('p', '$5::timestamptz')} THEN EXCLUDED.resumes_at
                           WHEN p.resumes_at IS NULL THEN NULL
                           ELSE greatest(p.resumes_at, EXCLUDED.resumes_at) END,
         ended_at = NULL,
         handback = right(concat_ws(E'\\n', p.handback, EXCLUDED.handback), ${HANDBACK_MAX_CHARS})
       RETURNING ${COLUMNS}`,
      [
        input.installationId,
        input.leadId,
        input.userId,
        input.userName,
        input.at.toISOString(),
        input.silenceMinutes,
        input.line.slice(-HANDBACK_MAX_CHARS),
      ],
    );
    return toPause(returnedRows<Row>(result)[0]!);
  }

  /** A button paused the lead: until `resumesAt`, or until resumed by hand (null). */
  async pauseByHand(input: {
    installationId: string;
    leadId: number;
    source: Exclude<LeadPauseSource, 'team_message'>;
    userId: number | null;
    userName: string | null;
    at: Date;
    resumesAt: Date | null;
  }): Promise<LeadPause> {
    const result: unknown = await this.db.query(
      `INSERT INTO lead_pauses AS p (installation_id, lead_id, source, user_id, user_name, since,
              last_human_at, resumes_at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $6::timestamptz, $7::timestamptz)
       ON CONFLICT (installation_id, lead_id) DO UPDATE SET
         source = EXCLUDED.source,
         user_id = EXCLUDED.user_id,
         user_name = EXCLUDED.user_name,
         since = CASE WHEN ${ACTIVE('p', '$6::timestamptz')} THEN p.since ELSE EXCLUDED.since END,
         last_human_at = CASE WHEN ${ACTIVE('p', '$6::timestamptz')} THEN p.last_human_at
                              ELSE EXCLUDED.last_human_at END,
         resumes_at = EXCLUDED.resumes_at,
         ended_at = NULL
       RETURNING ${COLUMNS}`,
      [
        input.installationId,
        input.leadId,
        input.source,
        input.userId,
        input.userName,
        input.at.toISOString(),
        input.resumesAt?.toISOString() ?? null,
      ],
    );
    return toPause(returnedRows<Row>(result)[0]!);
  }

  /** Ends the lead's pause now (the resume button); the row stays for its handback. */
  async end(installationId: string, leadId: number, at: Date): Promise<LeadPause | undefined> {
    const result: unknown = await this.db.query(
      `UPDATE lead_pauses SET ended_at = $3
        WHERE installation_id = $1 AND lead_id = $2 AND ended_at IS NULL
        RETURNING ${COLUMNS}`,
      [installationId, leadId, at.toISOString()],
    );
    const row = returnedRows<Row>(result)[0];
    return row && toPause(row);
  }

  async markOnOffSet(installationId: string, leadId: number): Promise<void> {
    await this.db.query(
      `UPDATE lead_pauses SET on_off_set = true WHERE installation_id = $1 AND lead_id = $2`,
      [installationId, leadId],
    );
  }

  /** Only when no newer pause filled ON_OFF again meanwhile (it is still over at `at`). */
  async clearOnOffSet(installationId: string, leadId: number, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE lead_pauses p SET on_off_set = false
        WHERE installation_id = $1 AND lead_id = $2 AND NOT ${ACTIVE('p', '$3::timestamptz')}`,
      [installationId, leadId, at.toISOString()],
    );
  }

  /** Pauses over at `at` whose ON_OFF value is still in the lead (classic template). */
  async overWithOnOff(
    at: Date,
    limit: number,
  ): Promise<Pick<LeadPause, 'installationId' | 'leadId'>[]> {
    const rows: Pick<Row, 'installation_id' | 'lead_id'>[] = await this.db.query(
      `SELECT installation_id, lead_id FROM lead_pauses p
        WHERE on_off_set AND NOT ${ACTIVE('p', '$1::timestamptz')}
        ORDER BY coalesce(ended_at, resumes_at) LIMIT $2`,
      [at.toISOString(), limit],
    );
    return rows.map((row) => ({
      installationId: row.installation_id,
      leadId: Number(row.lead_id),
    }));
  }

  /**
   * The handback `text` was carried by an answer: drop it, keeping lines people added since
   * (they follow it). Returns whether anything changed.
   */
  async dropHandback(installationId: string, leadId: number, text: string): Promise<boolean> {
    const result: unknown = await this.db.query(
      `UPDATE lead_pauses
          SET handback = CASE WHEN handback = $3 THEN NULL
                              ELSE nullif(substr(handback, length($3) + 2), '') END
        WHERE installation_id = $1 AND lead_id = $2
          AND (handback = $3 OR starts_with(handback, $3 || E'\\n'))`,
      [installationId, leadId, text],
    );
    return affectedRows(result) > 0;
  }

  /** The account's pauses running at `at`, newest first. */
  async activeOf(installationId: string, at: Date): Promise<LeadPause[]> {
    const rows: Row[] = await this.db.query(
      `SELECT ${COLUMNS} FROM lead_pauses p
        WHERE installation_id = $1 AND ${ACTIVE('p', '$2::timestamptz')}
        ORDER BY since DESC LIMIT 500`,
      [installationId, at.toISOString()],
    );
    return rows.map(toPause);
  }

  /** Part of a lead erase, in its transaction: the pause holds what people wrote. */
  async forgetLead(manager: EntityManager, installationId: string, leadId: number) {
    return affectedRows(
      await manager.query(`DELETE FROM lead_pauses WHERE installation_id = $1 AND lead_id = $2`, [
        installationId,
        leadId,
      ]),
    );
  }

  /** Part of an uninstalled account's purge, in its transaction. */
  async deleteAllOf(manager: EntityManager, installationId: string): Promise<number> {
    return affectedRows(
      await manager.query(`DELETE FROM lead_pauses WHERE installation_id = $1`, [installationId]),
    );
  }
}
