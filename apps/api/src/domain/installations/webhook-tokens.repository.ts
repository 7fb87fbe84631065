import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type Repository } from 'typeorm';
import { type Tx } from '../../database/transactions.repository';
import { type Installation } from './installation.entity';
import { type WebhookKind } from './webhook-token';
import { WebhookToken } from './webhook-token.entity';

export type StoredWebhookToken = Pick<
  WebhookToken,
  'kind' | 'tokenEnc' | 'createdAt' | 'rotatedAt'
>;

/** The installation a webhook token belongs to. */
export type WebhookTokenOwner = Pick<WebhookToken, 'installationId' | 'kind'> &
  Pick<Installation, 'status' | 'kommoAccountId'>;

/** webhook_tokens: one secret per installation and kind (see WebhookToken). */
@Injectable()
export class WebhookTokensRepository {
  constructor(@InjectRepository(WebhookToken) private readonly tokens: Repository<WebhookToken>) {}

  /** Keeps an existing token of the kind (the salesbots already use its URL). */
  async insertIfMissing(
    token: Pick<WebhookToken, 'installationId' | 'kind' | 'tokenHash' | 'tokenEnc'>,
    tx: Tx = this.tokens.manager,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_tokens (installation_id, kind, token_hash, token_enc)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (installation_id, kind) DO NOTHING`,
      [token.installationId, token.kind, token.tokenHash, token.tokenEnc],
    );
  }

  async replace(
    token: Pick<WebhookToken, 'installationId' | 'kind' | 'tokenHash' | 'tokenEnc'>,
  ): Promise<void> {
    await this.tokens.query(
      `UPDATE webhook_tokens SET token_hash = $3, token_enc = $4, rotated_at = now()
        WHERE installation_id = $1 AND kind = $2`,
      [token.installationId, token.kind, token.tokenHash, token.tokenEnc],
    );
  }

  /** The chatgpt token first, then the assistant's. */
  listOf(installationId: string): Promise<StoredWebhookToken[]> {
    return this.tokens.query(
      `SELECT kind, token_enc AS "tokenEnc", created_at AS "createdAt", rotated_at AS "rotatedAt"
         FROM webhook_tokens
        WHERE installation_id = $1 ORDER BY kind = 'assistant', kind`,
      [installationId],
    );
  }

  async findOwner(tokenHash: Buffer): Promise<WebhookTokenOwner | undefined> {
    const rows: {
      installationId: string;
      kind: WebhookKind;
      status: Installation['status'];
      kommoAccountId: string;
    }[] = await this.tokens.query(
      `SELECT t.installation_id AS "installationId", t.kind, i.status,
              i.kommo_account_id AS "kommoAccountId"
         FROM webhook_tokens t JOIN installations i ON i.id = t.installation_id
        WHERE t.token_hash = $1`,
      [tokenHash],
    );
    const row = rows[0];
    return row && { ...row, kommoAccountId: Number(row.kommoAccountId) };
  }

  /** Part of an uninstalled account's purge, in its transaction. */
  async deleteAllOf(tx: Tx, installationId: string): Promise<void> {
    await tx.query(`DELETE FROM webhook_tokens WHERE installation_id = $1`, [installationId]);
  }
}
