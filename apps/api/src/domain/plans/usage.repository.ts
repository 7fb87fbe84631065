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

  /** Estimated cost (USD) of the requests counted in [from, to) (account-local days). */
  async costBetween(
    installationId: string,
    from: string,
    to: string,
    tx: Tx = this.usage.manager,
  ): Promise<number> {
    // float8: the sum of a month's costs (9 decimals) is far inside a double's exact range.
    const rows: { cost: number | null }[] = await tx.query(
      `SELECT sum(cost_usd)::float8 AS cost FROM usage_daily
        WHERE installation_id = $1 AND day >= $2::date AND day < $3::date`,
      [installationId, from, to],
    );
    return rows[0]?.cost ?? 0;
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
}
