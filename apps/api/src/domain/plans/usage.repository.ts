import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { type Tx } from '../../database/transactions.repository';
import { UsageDaily } from './usage-daily.entity';

/**
 * usage_daily: counted requests per account-local day (written when a request is counted, by
 * the requests module). Also the quota check's statements on ai_requests: the plans module
 * cannot reach the requests module's repository (requests imports plans).
 */
@Injectable()
export class UsageRepository {
  constructor(@InjectRepository(UsageDaily) private readonly usage: Repository<UsageDaily>) {}

  /** Requests counted in [from, to) (account-local days, `YYYY-MM-DD`). */
  async countedBetween(
    installationId: string,
    from: string,
    to: string,
    tx: Tx = this.usage.manager,
  ): Promise<number> {
    const rows: { used: string | null }[] = await tx.query(
      `SELECT sum(requests) AS used FROM usage_daily
        WHERE installation_id = $1 AND day >= $2::date AND day < $3::date`,
      [installationId, from, to],
    );
    return Number(rows[0]?.used ?? 0);
  }

  daysBetween(
    installationId: string,
    from: string,
    to: string,
  ): Promise<Pick<UsageDaily, 'day' | 'kind' | 'requests'>[]> {
    return this.usage.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, kind, requests FROM usage_daily
        WHERE installation_id = $1 AND day >= $2::date AND day < $3::date ORDER BY day`,
      [installationId, from, to],
    );
  }

  /**
   * Requests other than `requestId` that passed the check and are not counted yet (they hold
   * their place): all of the account's, and the lead's.
   */
  async holding(
    tx: Tx,
    installationId: string,
    requestId: string,
    leadId: number,
  ): Promise<{ all: number; lead: number }> {
    const rows: { all: string; lead: string }[] = await tx.query(
      `SELECT count(*) AS all, count(*) FILTER (WHERE lead_id = $3) AS lead FROM ai_requests
        WHERE installation_id = $1 AND id <> $2 AND quota_passed
          AND (status = 'processing' OR (status = 'answered' AND reached_provider))`,
      [installationId, requestId, leadId],
    );
    return { all: Number(rows[0]?.all ?? 0), lead: Number(rows[0]?.lead ?? 0) };
  }

  /** The lead's requests counted on an account-local day. */
  async countedForLead(
    tx: Tx,
    installationId: string,
    leadId: number,
    day: string,
  ): Promise<number> {
    const rows: { n: string }[] = await tx.query(
      `SELECT count(*) AS n FROM ai_requests
        WHERE installation_id = $1 AND lead_id = $2 AND counted_on = $3::date`,
      [installationId, leadId, day],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The request passed: it holds its place until it is counted or fails. */
  async holdPlace(tx: Tx, requestId: string): Promise<void> {
    await tx.query(`UPDATE ai_requests SET quota_passed = true WHERE id = $1`, [requestId]);
  }
}
