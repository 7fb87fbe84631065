import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { quotaNote } from './quota-messages';
import { UsageService } from './usage.service';

export type QuotaDecision =
  | { allowed: true }
  /** `logLine` is what LOG gets, e.g. `ERROR quota: monthly limit of 1000 requests reached`. */
  | { allowed: false; logLine: string; reason: 'monthly' | 'lead_daily' };

export type QuotaSubject = { id: string; installationId: string; leadId: number };

const THRESHOLDS = [80, 95] as const;

/**
 * The plan's allowance, enforced before every provider call. A request that passes holds its
 * place (`quota_passed`) until it is counted or fails, and the check runs under a per-account
 * lock, so concurrent requests cannot overshoot the allowance.
 */
@Injectable()
export class QuotaGate {
  private readonly logger = new Logger(QuotaGate.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly usage: UsageService,
    private readonly kommo: KommoClientFactory,
  ) {}

  async check(request: QuotaSubject, at: Date): Promise<QuotaDecision> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `quota:${request.installationId}`,
      ]);
      const allowance = await this.usage.allowance(request.installationId, at, manager);
      const counted = await this.usage.used(
        request.installationId,
        allowance.monthStart,
        allowance.nextMonthStart,
        manager,
      );
      const inFlight: { all: string; lead: string }[] = await manager.query(
        `SELECT count(*) AS all, count(*) FILTER (WHERE lead_id = $3) AS lead FROM ai_requests
          WHERE installation_id = $1 AND id <> $2 AND quota_passed
            AND (status = 'processing' OR (status = 'answered' AND reached_provider))`,
        [request.installationId, request.id, request.leadId],
      );
      const pending = Number(inFlight[0]?.all ?? 0);
      if (counted + pending >= allowance.monthlyRequests) {
        return {
          allowed: false,
          reason: 'monthly',
          logLine: `ERROR quota: monthly limit of ${allowance.monthlyRequests} requests reached (plan ${allowance.planName}); it resets on ${allowance.nextMonthStart}`,
        };
      }
      const cap = allowance.leadDailyCap;
      if (cap !== null) {
        const today: { n: string }[] = await manager.query(
          `SELECT count(*) AS n FROM ai_requests
            WHERE installation_id = $1 AND lead_id = $2 AND counted_on = $3::date`,
          [request.installationId, request.leadId, allowance.today],
        );
        if (Number(today[0]?.n ?? 0) + Number(inFlight[0]?.lead ?? 0) >= cap) {
          return {
            allowed: false,
            reason: 'lead_daily',
            logLine: `ERROR quota: this lead reached its daily limit of ${cap} requests; it resets tomorrow`,
          };
        }
      }
      await manager.query(`UPDATE ai_requests SET quota_passed = true WHERE id = $1`, [request.id]);
      return { allowed: true };
    });
  }

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
