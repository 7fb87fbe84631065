import { Injectable } from '@nestjs/common';
import { Transactions } from '../../../database/transactions.repository';
import { HandoffSettingsRepository } from '../../handoff/handoff-settings.repository';
import { LeadPausesRepository } from '../../handoff/lead-pauses.repository';
import { InstallationsRepository } from '../../installations/installations.repository';
import { WebhookTokensRepository } from '../../installations/webhook-tokens.repository';
import { QuotaWarningsRepository } from '../../plans/quota-warnings.repository';
import { ConversationsRepository } from '../conversations.repository';
import { ProviderSettingsRepository } from '../provider-settings.repository';
import { RequestsRetentionRepository } from '../requests-retention.repository';

/** An uninstalled account's purge across the tables it touches, each through its repository. */
@Injectable()
export class RetentionStore {
  constructor(
    private readonly transactions: Transactions,
    private readonly installations: InstallationsRepository,
    private readonly webhookTokens: WebhookTokensRepository,
    private readonly providerSettings: ProviderSettingsRepository,
    private readonly quotaWarnings: QuotaWarningsRepository,
    private readonly requests: RequestsRetentionRepository,
    private readonly conversations: ConversationsRepository,
    private readonly pauses: LeadPausesRepository,
    private readonly handoff: HandoffSettingsRepository,
  ) {}

  /** Installations uninstalled more than `days` ago whose data is still here, oldest first. */
  purgeDue(days: number, limit: number): Promise<string[]> {
    return this.installations.purgeDue(days, limit);
  }

  /**
   * The rest of an installation's personal data, in one transaction with its row locked: what
   * the batches left (rows stored meanwhile), provider settings (keys, instructions), webhook
   * URL tokens, quota warnings (they name a lead), lead pauses (what the team wrote) with the
   * account-webhook URL's token, and who authorized. Null when a reinstall
   * came first. The installation row, its usage_daily counts and the audit log stay.
   */
  async finishPurge(
    installationId: string,
    days: number,
  ): Promise<{ requests: number; conversations: number } | null> {
    return this.transactions.run(async (tx) => {
      if (!(await this.installations.lockIfPurgeDue(tx, installationId, days))) return null;
      const requests = await this.requests.deleteAllOf(tx, installationId);
      const conversations = await this.conversations.deleteAllOf(tx, installationId);
      await this.providerSettings.deleteAllOf(tx, installationId);
      await this.webhookTokens.deleteAllOf(tx, installationId);
      await this.quotaWarnings.deleteAllOf(tx, installationId);
      await this.pauses.deleteAllOf(tx, installationId);
      await this.handoff.deleteAllOf(tx, installationId);
      await this.installations.clearPurged(tx, installationId);
      return { requests, conversations };
    });
  }
}
