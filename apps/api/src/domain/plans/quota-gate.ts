import { Injectable, Logger } from '@nestjs/common';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { InstallationsRepository } from '../installations/installations.repository';
import { quotaNote } from './quota-messages';
import { QuotaWarningsRepository } from './quota-warnings.repository';
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
    private readonly usage: UsageService,
    private readonly warningRows: QuotaWarningsRepository,
    private readonly installations: InstallationsRepository,
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
