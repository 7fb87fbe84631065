import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { quotaNote } from './quota-messages';
import { UsageService } from './usage.service';

const THRESHOLDS = [80, 95] as const;

/**
 * What follows the plan's allowance once requests are counted: the 80 %/95 % notes and the
 * widget's banner. The check before a provider call is QuotaCheck's (domain/requests), since it
 * reads the account's requests in flight.
 */
@Injectable()
export class QuotaGate {
  private readonly logger = new Logger(QuotaGate.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly usage: UsageService,
    private readonly kommo: KommoClientFactory,
  ) {}

  /**
   * After a request was counted: the first request to cross 80 % and 95 % of the month adds a
   * note to its lead, once per threshold and month. A note on the lead is where the account's
   * people work, so they see it without opening the widget.
   */
  async afterCounted(installationId: string, leadId: number, at: Date): Promise<void> {
    const allowance = await this.usage.allowance(installationId, at);
    if (allowance.monthlyRequests === 0) return;
    const used = await this.usage.used(
      installationId,
      allowance.monthStart,
      allowance.nextMonthStart,
    );
    const month = allowance.monthStart.slice(0, 7);
    for (const threshold of THRESHOLDS) {
      if (used * 100 < threshold * allowance.monthlyRequests) continue;
      const inserted: unknown[] = await this.db.query(
        `INSERT INTO quota_warnings (installation_id, month, threshold, lead_id, used, allowance)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING threshold`,
        [installationId, month, threshold, leadId, used, allowance.monthlyRequests],
      );
      if (inserted.length === 0) continue;
      await this.note(installationId, leadId, quotaNote(threshold, used, allowance));
      await this.db.query(
        `UPDATE quota_warnings SET noted_at = now()
          WHERE installation_id = $1 AND month = $2 AND threshold = $3`,
        [installationId, month, threshold],
      );
    }
  }

  /** Warnings of a month, for the widget's banner. */
  async warnings(
    installationId: string,
    month: string,
  ): Promise<{ threshold: number; leadId: number }[]> {
    const rows: { threshold: number; lead_id: string }[] = await this.db.query(
      `SELECT threshold, lead_id FROM quota_warnings
        WHERE installation_id = $1 AND month = $2 ORDER BY threshold`,
      [installationId, month],
    );
    return rows.map((row) => ({ threshold: row.threshold, leadId: Number(row.lead_id) }));
  }

  private async note(installationId: string, leadId: number, text: string): Promise<void> {
    const rows: { host: string; subdomain: string; status: string }[] = await this.db.query(
      `SELECT host, subdomain, status FROM installations WHERE id = $1`,
      [installationId],
    );
    const installation = rows[0];
    if (installation?.status !== 'active') return;
    try {
      await this.kommo
        .forInstallation({
          installationId,
          host: installation.host,
          subdomain: installation.subdomain,
        })
        .addLeadNotes([{ entity_id: leadId, note_type: 'common', params: { text } }]);
    } catch (error) {
      // The warning stays recorded (noted_at null) and shows in the widget's banner.
      this.logger.warn({ installationId, err: (error as Error).message }, 'quota note not added');
      throw error;
    }
  }
}
