import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { type KommoHost } from '../kommo/kommo-host';
import { KommoRateLimiter } from '../kommo/kommo-rate-limiter';
import { accountLanguage } from './account-language';
import { Installation } from './installation.entity';
import { KommoOAuthClient, OAuthRejectedError, type TokenPair } from './kommo-oauth.client';
import { OAuthTokenBudget } from './oauth-token-budget';
import { WebhookTokens } from '../webhooks/webhook-tokens.service';
import { TokenService } from './token.service';

/** Turns an authorization code into an active installation (install and reinstall alike). */
@Injectable()
export class InstallationService {
  private readonly logger = new Logger(InstallationService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly oauth: KommoOAuthClient,
    private readonly tokens: TokenService,
    private readonly limiter: KommoRateLimiter,
    private readonly webhookTokens: WebhookTokens,
    private readonly budget: OAuthTokenBudget,
  ) {}

  /**
   * Exchanges the code, reads the account it belongs to, and upserts the installation keyed by
   * the Kommo account id (the host may have changed since the last install).
   */
  async completeInstall(target: KommoHost, code: string): Promise<Installation> {
    const { pair, chargedTo } = await this.exchange(target, code);
    const account = await this.oauth.fetchAccount(target, pair.accessToken);
    const language = accountLanguage(account.language);
    const installation = await this.db.transaction(async (manager) => {
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO installations
                (kommo_account_id, subdomain, host, language, timezone, status, installed_at)
         VALUES ($1, $2, $3, $4, $5, 'active', now())
         ON CONFLICT (kommo_account_id) DO UPDATE
            SET subdomain = EXCLUDED.subdomain, host = EXCLUDED.host,
                language = EXCLUDED.language, timezone = EXCLUDED.timezone,
                status = 'active', installed_at = now(),
                auth_error = NULL, disabled_at = NULL, updated_at = now()
         RETURNING id`,
        [account.id, account.subdomain, target.host, language, account.timezone],
      );
      const id = rows[0]?.id;
      if (!id) throw new Error('installation upsert returned no row');
      await this.tokens.store(manager, id, pair);
      // Reinstalling keeps the webhook URLs the salesbots already use.
      await this.webhookTokens.ensure(id, manager);
      return manager.findOneByOrFail(Installation, { id });
    });
    // The code exchange and the account reads count against Kommo's 7/s like any call.
    await this.limiter.charge(
      installation.id,
      account.requests + (chargedTo === installation.id ? 0 : 1),
    );
    this.logger.log(
      { installationId: installation.id, accountId: account.id, host: target.host },
      'installation active',
    );
    return installation;
  }

  /**
   * One token-endpoint call for a code the callback admitted (OAuthTokenBudget): paced across
   * processes and, when the referer is an account we already serve, inside its 6/s schedule.
   * A refused code is remembered, so a repeat of it never reaches Kommo again.
   */
  private async exchange(
    target: KommoHost,
    code: string,
  ): Promise<{ pair: TokenPair; chargedTo?: string }> {
    const known: { id: string }[] = await this.db.query(
      `SELECT id FROM installations WHERE host = $1 AND status <> 'disabled' LIMIT 1`,
      [target.host],
    );
    const chargedTo = known[0]?.id;
    await this.budget.pace();
    if (chargedTo) await this.limiter.acquire(chargedTo);
    try {
      const pair = await this.oauth.exchangeCode(target, code);
      await this.budget.settle(code, 'done');
      return { pair, chargedTo };
    } catch (error) {
      if (error instanceof OAuthRejectedError) await this.budget.settle(code, 'refused');
      throw error;
    }
  }

  /** The uninstall hook: stop everything for the account; tokens are void anyway. */
  async disable(kommoAccountId: number): Promise<boolean> {
    const result = await this.db
      .createQueryBuilder()
      .update(Installation)
      .set({
        status: 'disabled',
        disabledAt: () => 'now()',
        accessTokenEnc: null,
        refreshTokenEnc: null,
        tokenExpiresAt: null,
      })
      .where('kommo_account_id = :kommoAccountId AND status <> :disabled', {
        kommoAccountId,
        disabled: 'disabled',
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
