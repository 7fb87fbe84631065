import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { type Tx } from '../../database/transactions.repository';
import { QuotaWarning } from './quota-warning.entity';

type WarningKey = Pick<QuotaWarning, 'installationId' | 'month' | 'threshold'>;

/** quota_warnings: the 80 % and 95 % warnings, once per account, month and threshold. */
@Injectable()
export class QuotaWarningsRepository {
  constructor(
    @InjectRepository(QuotaWarning) private readonly warnings: Repository<QuotaWarning>,
  ) {}

  /** False when this threshold was reached before in the month. */
  async insertIfNew(
    warning: WarningKey & Pick<QuotaWarning, 'leadId' | 'used' | 'allowance'>,
  ): Promise<boolean> {
    const inserted: unknown[] = await this.warnings.query(
      `INSERT INTO quota_warnings (installation_id, month, threshold, lead_id, used, allowance)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING threshold`,
      [
        warning.installationId,
        warning.month,
        warning.threshold,
        warning.leadId,
        warning.used,
        warning.allowance,
      ],
    );
    return inserted.length > 0;
  }

  async markNoted(key: WarningKey): Promise<void> {
    await this.warnings.query(
      `UPDATE quota_warnings SET noted_at = now()
        WHERE installation_id = $1 AND month = $2 AND threshold = $3`,
      [key.installationId, key.month, key.threshold],
    );
  }

  async listOf(
    installationId: string,
    month: string,
  ): Promise<Pick<QuotaWarning, 'threshold' | 'leadId'>[]> {
    const rows: { threshold: number; leadId: string }[] = await this.warnings.query(
      `SELECT threshold, lead_id AS "leadId" FROM quota_warnings
        WHERE installation_id = $1 AND month = $2 ORDER BY threshold`,
      [installationId, month],
    );
    return rows.map((row) => ({ threshold: row.threshold, leadId: Number(row.leadId) }));
  }

  /** Part of an uninstalled account's purge, in its transaction. */
  async deleteAllOf(tx: Tx, installationId: string): Promise<void> {
    await tx.query(`DELETE FROM quota_warnings WHERE installation_id = $1`, [installationId]);
  }
}
