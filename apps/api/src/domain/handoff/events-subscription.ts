import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { KommoClientFactory } from '../../integrations/kommo/kommo-client';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { type Installation } from '../installations/installation.entity';
import { InstallationsRepository } from '../installations/installations.repository';
import { HANDOFF_EVENTS } from './events-token';
import { HandoffSettingsRepository } from './handoff-settings.repository';
import { HandoffSettingsService } from './handoff-settings.service';

// Kommo's uninstall hook waits for our answer; a DELETE that hangs must not hold it.
const UNINSTALL_DELETE_BUDGET_MS = 3_000;

/**
 * The account webhook that tells us when a person writes in a lead's chat (docs/kommo-contract.md
 * §8.1, §8.4): subscribed at install through the installation's Kommo client (its rate budget and
 * token), removed at uninstall. A refusal that retrying cannot fix (variant D: the plan, a
 * non-admin token) is stored on the installation for the widget, and the feature stays off.
 */
@Injectable()
export class EventsSubscription {
  private readonly logger = new Logger(EventsSubscription.name);

  constructor(
    private readonly installations: InstallationsRepository,
    private readonly settings: HandoffSettingsService,
    private readonly rows: HandoffSettingsRepository,
    private readonly kommo: KommoClientFactory,
    private readonly clock: Clock,
  ) {}

  /**
   * Idempotent: Kommo updates a destination it already has. Throws only what is worth retrying
   * (network, 5xx, 429), so the job's backoff takes it.
   */
  async subscribe(installationId: string): Promise<'subscribed' | 'failed' | 'skipped'> {
    const installation = await this.installations.findById(installationId);
    if (!installation || installation.status !== 'active') return 'skipped';
    const destination = await this.settings.eventsUrl(installationId);
    const client = this.clientOf(installation);
    try {
      await client.subscribeWebhook(destination, HANDOFF_EVENTS);
      // Read back: an account can hold the webhook disabled (too many failed deliveries).
      const stored = await client.findWebhook(destination);
      if (!stored) throw refusal('Kommo did not list the webhook after creating it');
      if (stored.disabled) throw refusal('Kommo keeps the webhook disabled; enable it in Kommo');
    } catch (error) {
      if (!(error instanceof KommoApiError) || error.retryable) throw error;
      this.logger.warn({ installationId, code: error.code }, 'account webhook refused');
      await this.rows.setSubscription(installationId, 'failed', error.message, this.clock.now());
      return 'failed';
    }
    await this.rows.setSubscription(installationId, 'subscribed', null, this.clock.now());
    return 'subscribed';
  }

  /**
   * Kommo's uninstall hook: one DELETE while the token may still work (docs/kommo-contract.md
   * §8.1.4: it may already be revoked, a 401 then). Never throws: the uninstall goes on.
   */
  async unsubscribeAtUninstall(kommoAccountId: number): Promise<boolean> {
    const installation = await this.installations.findByKommoAccount(kommoAccountId);
    if (!installation) return false;
    const row = await this.rows.find(installation.id);
    if (!row || row.subscriptionState !== 'subscribed') return false;
    let removed = false;
    try {
      const destination = await this.settings.eventsUrl(installation.id);
      const call = this.clientOf(installation).unsubscribeWebhook(destination);
      removed = await withDeadline(call, UNINSTALL_DELETE_BUDGET_MS);
    } catch (error) {
      this.logger.warn(
        { installationId: installation.id, err: (error as Error).message },
        'account webhook not removed at uninstall',
      );
    }
    await this.rows.setSubscription(installation.id, 'off', null, this.clock.now());
    return removed;
  }

  private clientOf(installation: Installation) {
    return this.kommo.forInstallation({
      installationId: installation.id,
      host: installation.host,
      subdomain: installation.subdomain,
    });
  }
}

function refusal(message: string): KommoApiError {
  return new KommoApiError({ kind: 'validation', retryable: false, message });
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
