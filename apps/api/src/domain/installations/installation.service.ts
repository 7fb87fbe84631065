import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';
import { returnedRows } from '../../database/returning';
import { type KommoHost } from '../../integrations/kommo/kommo-host';
import { KommoRateLimiter } from '../../integrations/kommo/kommo-rate-limiter';
import { accountLanguage } from './account-language';
import { Installation } from './installation.entity';
import {
  type KommoAccountInfo,
  KommoOAuthClient,
  OAuthRejectedError,
  OAuthUnavailableError,
  type TokenPair,
} from '../../integrations/kommo/kommo-oauth.client';
import { OAuthTokenBudget } from '../../integrations/kommo/oauth-token-budget';
import { WebhookTokens } from './webhook-tokens.service';
import { TokenService } from './token.service';

/**
 * `stored`: the new token is in use. `kept_admin_token`: a non-admin authorized while an admin's
 * token works; that one stays and the new one is dropped.
 */
export type InstallOutcome = { installation: Installation; token: 'stored' | 'kept_admin_token' };

// The account reads after an exchange: 3 tries, 1 s then 2 s apart (a 429 wants about a second).
const ACCOUNT_READ_ATTEMPTS = 3;
const ACCOUNT_READ_BACKOFF_MS = 1_000;

type ExistingToken = {
  id: string;
  status: string;
  token_user_is_admin: boolean | null;
  has_token: boolean;
};

/** A token that works and is not known to be a non-admin's (unknown = installed before we asked). */
function holdsAdminToken(row: ExistingToken): boolean {
  return row.status === 'active' && row.has_token && row.token_user_is_admin !== false;
}

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
   * Exchanges the code, reads the account it belongs to and who authorized, and upserts the
   * installation keyed by the Kommo account id (the host may have changed since the last install).
   * A non-admin's authorization never replaces a working admin token (docs/architecture.md,
   * "Who authorized"): continues and field creation need an admin's token.
   */
  async completeInstall(target: KommoHost, code: string): Promise<InstallOutcome> {
    const { pair, chargedTo } = await this.exchange(target, code);
    const account = await this.readAccount(target, pair.accessToken, chargedTo);
    const language = accountLanguage(account.language);
    const outcome = await this.db.transaction(async (manager): Promise<InstallOutcome> => {
      const current: ExistingToken[] = await manager.query(
        `SELECT id, status, token_user_is_admin, refresh_token_enc IS NOT NULL AS has_token
           FROM installations WHERE kommo_account_id = $1 FOR UPDATE`,
        [account.id],
      );
      const existing = current[0];
      if (account.userIsAdmin === false && existing && holdsAdminToken(existing)) {
        const installation = await manager.findOneByOrFail(Installation, { id: existing.id });
        return { installation, token: 'kept_admin_token' };
      }
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO installations
                (kommo_account_id, subdomain, host, language, timezone, status, installed_at,
                 token_user_id, token_user_is_admin)
         VALUES ($1, $2, $3, $4, $5, 'active', now(), $6, $7)
         ON CONFLICT (kommo_account_id) DO UPDATE
            SET subdomain = EXCLUDED.subdomain, host = EXCLUDED.host,
                language = EXCLUDED.language, timezone = EXCLUDED.timezone,
                status = 'active', installed_at = now(),
                token_user_id = EXCLUDED.token_user_id,
                token_user_is_admin = EXCLUDED.token_user_is_admin,
                auth_error = NULL, disabled_at = NULL, uninstalled_at = NULL,
                purged_at = NULL, updated_at = now()
         RETURNING id`,
        [
          account.id,
          account.subdomain,
          target.host,
          language,
          account.timezone,
          account.userId,
          account.userIsAdmin,
        ],
      );
      const id = rows[0]?.id;
      if (!id) throw new Error('installation upsert returned no row');
      await this.tokens.store(manager, id, pair);
      // Reinstalling keeps the webhook URLs the salesbots already use.
      await this.webhookTokens.ensure(id, manager);
      return { installation: await manager.findOneByOrFail(Installation, { id }), token: 'stored' };
    });
    const { installation } = outcome;
    // The code exchange and the account reads count against Kommo's 7/s like any call; for a
    // known installation they took their slots already.
    if (chargedTo !== installation.id) {
      await this.limiter.charge(installation.id, account.requests + 1);
    }
    this.logger.log(
      {
        installationId: installation.id,
        accountId: account.id,
        host: target.host,
        userId: account.userId,
        userIsAdmin: account.userIsAdmin,
        token: outcome.token,
      },
      outcome.token === 'stored' ? 'installation active' : 'non-admin authorization ignored',
    );
    return outcome;
  }

  /**
   * The reads after a successful exchange. The code is spent by then, so a job retry could only
   * fail on it: a passing failure (429, 5xx, network) is retried here instead, paced through the
   * installation's budget when it is known.
   */
  private async readAccount(
    target: KommoHost,
    accessToken: string,
    paceAs: string | undefined,
  ): Promise<KommoAccountInfo> {
    const pace = paceAs ? () => this.limiter.acquire(paceAs) : undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.oauth.fetchAccount(target, accessToken, pace);
      } catch (error) {
        if (!(error instanceof OAuthUnavailableError) || attempt >= ACCOUNT_READ_ATTEMPTS) {
          throw error;
        }
        await sleep(ACCOUNT_READ_BACKOFF_MS * attempt);
      }
    }
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

  /**
   * The uninstall hook: stop everything for the account; tokens are void anyway. The day it
   * happened starts the purge's grace period (docs/architecture.md, "Retention"), also for an
   * account an admin had disabled before. False when it was uninstalled already.
   */
  async disable(kommoAccountId: number): Promise<boolean> {
    const result: unknown = await this.db.query(
      `UPDATE installations
          SET status = 'disabled', disabled_at = coalesce(disabled_at, now()),
              uninstalled_at = now(), access_token_enc = NULL, refresh_token_enc = NULL,
              token_expires_at = NULL, updated_at = now()
        WHERE kommo_account_id = $1 AND uninstalled_at IS NULL
        RETURNING id`,
      [kommoAccountId],
    );
    return returnedRows(result).length > 0;
  }
}
