import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppConfig } from '../../config/app-config';
import { type Tx } from '../../database/transactions.repository';
import { type InstallationStatus } from './installation.entity';
import {
  hashWebhookToken,
  isWebhookTokenShaped,
  newWebhookToken,
  WEBHOOK_KINDS,
  type WebhookKind,
  webhookTokenContext,
  webhookUrl,
} from './webhook-token';
import { WebhookTokensRepository } from './webhook-tokens.repository';

/** The installation a webhook token belongs to, as intake needs it. */
export type WebhookTarget = {
  installationId: string;
  kind: WebhookKind;
  status: InstallationStatus;
  kommoAccountId: number;
};

export type WebhookUrls = {
  kind: WebhookKind;
  /** Classic mode: the salesbot's webhook step. */
  handlerUrl: string;
  /** Widget-block mode: our salesbot block's widget_request. */
  widgetRequestUrl: string;
  createdAt: Date;
  rotatedAt: Date | null;
};

/** Creates, looks up, shows and rotates the two webhook tokens of each installation. */
@Injectable()
export class WebhookTokens {
  constructor(
    private readonly tokens: WebhookTokensRepository,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  /** Gives an installation the tokens it lacks (install and reinstall keep existing ones). */
  async ensure(installationId: string, tx?: Tx): Promise<void> {
    for (const kind of WEBHOOK_KINDS) {
      const token = newWebhookToken();
      await this.tokens.insertIfMissing(
        {
          installationId,
          kind,
          tokenHash: hashWebhookToken(token),
          tokenEnc: this.box.encrypt(token, webhookTokenContext(installationId, kind)),
        },
        tx,
      );
    }
  }

  /** A new token for one webhook; the old URL answers 404 from now on. */
  async rotate(installationId: string, kind: WebhookKind): Promise<WebhookUrls> {
    const token = newWebhookToken();
    await this.tokens.replace({
      installationId,
      kind,
      tokenHash: hashWebhookToken(token),
      tokenEnc: this.box.encrypt(token, webhookTokenContext(installationId, kind)),
    });
    const urls = await this.urls(installationId);
    const rotated = urls.find((entry) => entry.kind === kind);
    if (!rotated) throw new Error(`installation ${installationId} has no ${kind} webhook`);
    return rotated;
  }

  /** Both webhook URLs, for the widget (an admin of the account sees its own secrets). */
  async urls(installationId: string): Promise<WebhookUrls[]> {
    await this.ensure(installationId);
    const rows = await this.tokens.listOf(installationId);
    const base = this.config.get('PUBLIC_URL');
    return rows.map((row) => {
      const token = this.box.decrypt(row.tokenEnc, webhookTokenContext(installationId, row.kind));
      return {
        kind: row.kind,
        handlerUrl: webhookUrl(base, token, 'handler'),
        widgetRequestUrl: webhookUrl(base, token, 'widget-request'),
        createdAt: row.createdAt,
        rotatedAt: row.rotatedAt,
      };
    });
  }

  /** The token's installation, or null for anything that is not a live token of ours. */
  async lookup(token: string): Promise<WebhookTarget | null> {
    if (!isWebhookTokenShaped(token)) return null;
    return (await this.tokens.findOwner(hashWebhookToken(token))) ?? null;
  }
}
