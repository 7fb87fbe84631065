import { type HandoffSettingsView } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppConfig } from '../../config/app-config';
import {
  eventsTokenContext,
  eventsUrl,
  hashEventsToken,
  isEventsTokenShaped,
  newEventsToken,
} from './events-token';
import { type EventsTokenOwner, HandoffSettingsRepository } from './handoff-settings.repository';

/** The account's handoff settings: the events URL's secret, the subscription, the silence time. */
@Injectable()
export class HandoffSettingsService {
  constructor(
    private readonly settings: HandoffSettingsRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  /** Gives the installation its events token if it has none (a reinstall keeps the old one). */
  async ensure(installationId: string): Promise<void> {
    const token = newEventsToken();
    await this.settings.insertIfMissing({
      installationId,
      eventsTokenHash: hashEventsToken(token),
      eventsTokenEnc: this.box.encrypt(token, eventsTokenContext(installationId)),
    });
  }

  /** The destination we subscribe in Kommo (it carries the secret: never logged). */
  async eventsUrl(installationId: string): Promise<string> {
    await this.ensure(installationId);
    const row = await this.settings.find(installationId);
    if (!row) throw new Error(`installation ${installationId} has no handoff settings`);
    const token = this.box.decrypt(row.eventsTokenEnc, eventsTokenContext(installationId));
    return eventsUrl(this.config.get('PUBLIC_URL'), token);
  }

  /** The token's installation, or null for anything that is not a live events token of ours. */
  async lookup(token: string): Promise<EventsTokenOwner | null> {
    if (!isEventsTokenShaped(token)) return null;
    return (await this.settings.findOwner(hashEventsToken(token))) ?? null;
  }

  silenceMinutes(installationId: string): Promise<number> {
    return this.settings.silenceMinutes(installationId);
  }

  async view(installationId: string): Promise<HandoffSettingsView> {
    await this.ensure(installationId);
    const row = await this.settings.find(installationId);
    return {
      silenceMinutes: row?.silenceMinutes ?? 30,
      subscription: {
        state: row?.subscriptionState ?? 'pending',
        error: row?.subscriptionError ?? null,
        checkedAt: row?.subscriptionCheckedAt?.toISOString() ?? null,
      },
    };
  }

  async setSilence(installationId: string, minutes: number): Promise<HandoffSettingsView> {
    await this.ensure(installationId);
    await this.settings.setSilence(installationId, minutes);
    return this.view(installationId);
  }
}
