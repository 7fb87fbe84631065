import { Injectable, Logger } from '@nestjs/common';
import { lockForTransaction, Transactions } from '../../database/transactions.repository';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { InstallationsRepository } from '../installations/installations.repository';
import { quotaNote } from './quota-messages';
import { QuotaWarningsRepository } from './quota-warnings.repository';
import { UsageRepository } from './usage.repository';
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
    private readonly transactions: Transactions,
    private readonly usage: UsageService,
    private readonly counts: UsageRepository,
    private readonly warningRows: QuotaWarningsRepository,
    private readonly installations: InstallationsRepository,
    private readonly kommo: KommoClientFactory,
  ) {}

  async check(request: QuotaSubject, at: Date): Promise<QuotaDecision> {
    return this.transactions.run(async (tx) => {
      await lockForTransaction(tx, `quota:${request.installationId}`);
      const allowance = await this.usage.allowance(request.installationId, at, tx);
      const counted = await this.usage.used(
        request.installationId,
        allowance.monthStart,
        allowance.nextMonthStart,
        tx,
      );
      const inFlight = await this.counts.holding(
        tx,
        request.installationId,
        request.id,
        request.leadId,
      );
      const pending = inFlight.all;
      if (counted + pending >= allowance.monthlyRequests) {
        return {
          allowed: false,
          reason: 'monthly',
          logLine: `ERROR quota: monthly limit of ${allowance.monthlyRequests} requests reached (plan ${allowance.planName}); it resets on ${allowance.nextMonthStart}`,
        };
      }
      const cap = allowance.leadDailyCap;
      if (cap !== null) {
        const today = await this.counts.countedForLead(
          tx,
          request.installationId,
          request.leadId,
          allowance.today,
        );
        if (today + inFlight.lead >= cap) {
          return {
            allowed: false,
            reason: 'lead_daily',
            logLine: `ERROR quota: this lead reached its daily limit of ${cap} requests; it resets tomorrow`,
          };
        }
      }
      await this.counts.holdPlace(tx, request.id);
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
      const inserted = await this.warningRows.insertIfNew({
        installationId,
        month,
        threshold,
        leadId,
        used,
        allowance: allowance.monthlyRequests,
      });
      if (!inserted) continue;
      await this.note(installationId, leadId, quotaNote(threshold, used, allowance));
      await this.warningRows.markNoted({ installationId, month, threshold });
    }
  }

  /** Warnings of a month, for the widget's banner. */
  async warnings(
    installationId: string,
    month: string,
  ): Promise<{ threshold: number; leadId: number }[]> {
    return this.warningRows.listOf(installationId, month);
  }

  private async note(installationId: string, leadId: number, text: string): Promise<void> {
    const installation = await this.installations.findById(installationId);
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
