import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { SecretBox } from '../../common/crypto/secret-box';
import { AppConfig } from '../../config/app-config';
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
    @InjectDataSource() private readonly db: DataSource,
    private readonly box: SecretBox,
    private readonly config: AppConfig,
  ) {}

  /** Gives an installation the tokens it lacks (install and reinstall keep existing ones). */
  async ensure(installationId: string, manager: EntityManager = this.db.manager): Promise<void> {
    for (const kind of WEBHOOK_KINDS) {
      const token = newWebhookToken();
      await manager.query(
        `INSERT INTO webhook_tokens (installation_id, kind, token_hash, token_enc)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (installation_id, kind) DO NOTHING`,
        [
          installationId,
          kind,
          hashWebhookToken(token),
          this.box.encrypt(token, webhookTokenContext(installationId, kind)),
        ],
      );
    }
  }

  /** A new token for one webhook; the old URL answers 404 from now on. */
  async rotate(installationId: string, kind: WebhookKind): Promise<WebhookUrls> {
    const token = newWebhookToken();
    await this.db.query(
      `UPDATE webhook_tokens SET token_hash = $3, token_enc = $4, rotated_at = now()
        WHERE installation_id = $1 AND kind = $2`,
      [
        installationId,
        kind,
        hashWebhookToken(token),
        this.box.encrypt(token, webhookTokenContext(installationId, kind)),
      ],
    );
    const urls = await this.urls(installationId);
    const rotated = urls.find((entry) => entry.kind === kind);
    if (!rotated) throw new Error(`installation ${installationId} has no ${kind} webhook`);
    return rotated;
  }

  /** Both webhook URLs, for the widget (an admin of the account sees its own secrets). */
  async urls(installationId: string): Promise<WebhookUrls[]> {
    await this.ensure(installationId);
    const rows: {
      kind: WebhookKind;
      token_enc: string;
      created_at: Date;
      rotated_at: Date | null;
    }[] = await this.db.query(
      `SELECT kind, token_enc, created_at, rotated_at FROM webhook_tokens
          WHERE installation_id = $1 ORDER BY kind = 'assistant', kind`,
      [installationId],
    );
    const base = this.config.get('PUBLIC_URL');
    return rows.map((row) => {
      const token = this.box.decrypt(row.token_enc, webhookTokenContext(installationId, row.kind));
      return {
        kind: row.kind,
        handlerUrl: webhookUrl(base, token, 'handler'),
        widgetRequestUrl: webhookUrl(base, token, 'widget-request'),
        createdAt: row.created_at,
        rotatedAt: row.rotated_at,
      };
    });
  }

  /** The token's installation, or null for anything that is not a live token of ours. */
  async lookup(token: string): Promise<WebhookTarget | null> {
    if (!isWebhookTokenShaped(token)) return null;
    const rows: {
      installation_id: string;
      kind: WebhookKind;
      status: InstallationStatus;
      kommo_account_id: string;
    }[] = await this.db.query(
      `SELECT t.installation_id, t.kind, i.status, i.kommo_account_id
         FROM webhook_tokens t JOIN installations i ON i.id = t.installation_id
        WHERE t.token_hash = $1`,
      [hashWebhookToken(token)],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      installationId: row.installation_id,
      kind: row.kind,
      status: row.status,
      kommoAccountId: Number(row.kommo_account_id),
    };
  }
}
