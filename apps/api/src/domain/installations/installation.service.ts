import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { Transactions } from '../../database/transactions.repository';
import { type KommoHost } from '../../integrations/kommo/kommo-host';
import { KommoRateLimiter } from '../../integrations/kommo/kommo-rate-limiter';
import { accountLanguage } from './account-language';
import { type Installation } from './installation.entity';
import { type ExistingInstall, InstallationsRepository } from './installations.repository';
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

/** A token that works and is not known to be a non-admin's (unknown = installed before we asked). */
function holdsAdminToken(row: ExistingInstall): boolean {
  return row.status === 'active' && row.hasToken && row.tokenUserIsAdmin !== false;
}

/** Turns an authorization code into an active installation (install and reinstall alike). */
@Injectable()
export class InstallationService {
  private readonly logger = new Logger(InstallationService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly installations: InstallationsRepository,
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
    const outcome = await this.transactions.run(async (tx): Promise<InstallOutcome> => {
      const existing = await this.installations.lockByKommoAccount(tx, account.id);
      if (account.userIsAdmin === false && existing && holdsAdminToken(existing)) {
        const installation = await this.installations.findByIdOrFail(existing.id, tx);
        return { installation, token: 'kept_admin_token' };
      }
      const id = await this.installations.upsertActive(tx, {
        kommoAccountId: account.id,
        subdomain: account.subdomain,
        host: target.host,
        language,
        timezone: account.timezone,
        tokenUserId: account.userId,
        tokenUserIsAdmin: account.userIsAdmin,
      });
      await this.tokens.store(tx, id, pair);
      // Reinstalling keeps the webhook URLs the salesbots already use.
      await this.webhookTokens.ensure(id, tx);
      return { installation: await this.installations.findByIdOrFail(id, tx), token: 'stored' };
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
    const chargedTo = await this.installations.idOnHost(target.host);
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
    return this.installations.markUninstalled(kommoAccountId);
  }
}
