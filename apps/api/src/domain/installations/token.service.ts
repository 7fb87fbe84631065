import { Injectable, Logger } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box';
import {
  Transactions,
  tryLockForTransaction,
  type Tx,
} from '../../database/transactions.repository';
import { KommoApiError } from '../../integrations/kommo/kommo-errors';
import { type KommoHost } from '../../integrations/kommo/kommo-host';
import { KommoRateLimiter } from '../../integrations/kommo/kommo-rate-limiter';
import { type KommoTokenSource } from '../../integrations/kommo/kommo-token-source';
import { AccountRelocator, refreshTokenContext } from './account-relocation';
import { InstallationsRepository, type TokenRow } from './installations.repository';
import {
  KommoOAuthClient,
  OAuthRejectedError,
  OAuthUnavailableError,
  type TokenPair,
} from '../../integrations/kommo/kommo-oauth.client';

/** Refresh this long before Kommo's expiry, so no call goes out with a token about to lapse. */
export const ACCESS_TOKEN_MARGIN_MS = 5 * 60_000;
const NETWORK_RETRIES = 2;
/** How long a caller waits for another process's refresh before giving up (retryable). */
const LOCK_WAIT_MS = 45_000;

/** When a refresh is still needed once the lock is ours (someone else may have done it). */
type RefreshNeed = { expiringBefore: number } | { rejected: string };

export const accessContext = (id: string) => `installations.access_token:${id}`;
export const refreshContext = refreshTokenContext;

/**
 * Kommo access tokens for every installation. Refresh tokens are single-use, so refreshing is
 * serialised per installation across all processes with a PostgreSQL advisory lock; the row is
 * re-read inside the lock and the new pair is saved in the same transaction.
 */
@Injectable()
export class TokenService implements KommoTokenSource {
  private readonly logger = new Logger(TokenService.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly installations: InstallationsRepository,
    private readonly box: SecretBox,
    private readonly oauth: KommoOAuthClient,
    private readonly limiter: KommoRateLimiter,
    private readonly relocator: AccountRelocator,
  ) {}

  relocate(installationId: string, failedHost: string): Promise<KommoHost | null> {
    return this.relocator.relocate(installationId, failedHost);
  }

  async accessToken(installationId: string): Promise<string> {
    const row = await this.read(installationId);
    const margin = Date.now() + ACCESS_TOKEN_MARGIN_MS;
    if (row.accessTokenEnc && row.tokenExpiresAt && row.tokenExpiresAt.getTime() > margin) {
      return this.box.decrypt(row.accessTokenEnc, accessContext(installationId));
    }
    return this.refresh(installationId, { expiringBefore: margin });
  }

  async refreshAfterRejection(installationId: string, rejected: string): Promise<string> {
    return this.refresh(installationId, { rejected });
  }

  /** Encrypts and stores a fresh pair (install, or a refresh inside the lock). */
  async store(tx: Tx, installationId: string, pair: TokenPair): Promise<void> {
    await this.installations.storeTokens(tx, installationId, {
      accessTokenEnc: this.box.encrypt(pair.accessToken, accessContext(installationId)),
      refreshTokenEnc: this.box.encrypt(pair.refreshToken, refreshContext(installationId)),
      expiresAt: pair.expiresAt,
    });
  }

  /** Refreshes unless another caller already has; returns the access token to use. */
  async refresh(installationId: string, need: RefreshNeed): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.refreshOnce(installationId, need);
      } catch (error) {
        if (!(error instanceof OAuthUnavailableError) || attempt >= NETWORK_RETRIES) {
          throw this.asKommoError(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
      }
    }
  }

  /**
   * One refresh under the installation's advisory lock. Waiters do not block inside PostgreSQL
   * (each would pin a pooled connection): they try the lock, and when it is taken they let go,
   * sleep briefly and look again, usually finding the token the holder just saved.
   */
  private async refreshOnce(installationId: string, need: RefreshNeed): Promise<string> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let round = 0; ; round++) {
      const outcome = await this.transactions.run((tx) =>
        this.refreshIfLockFree(tx, installationId, need),
      );
      if ('token' in outcome) return outcome.token;
      if ('rejected' in outcome) {
        this.logger.warn(
          { installationId, reason: outcome.rejected.message },
          'Kommo refused refresh',
        );
        throw outcome.rejected;
      }
      if (Date.now() > deadline) {
        throw new OAuthUnavailableError('another process has been refreshing for too long');
      }
      // Backing off keeps a crowd of waiters from loading PostgreSQL while one refresh runs.
      const pauseMs = Math.min(50 * 2 ** round, 500);
      await new Promise((resolve) => setTimeout(resolve, pauseMs / 2 + Math.random() * pauseMs));
    }
  }

  private async refreshIfLockFree(
    tx: Tx,
    installationId: string,
    need: RefreshNeed,
  ): Promise<{ token: string } | { rejected: OAuthRejectedError } | { busy: true }> {
    const locked = await tryLockForTransaction(tx, `kommo-refresh:${installationId}`);
    // Re-read inside the lock: someone else may have refreshed since the caller looked.
    const row = await this.read(installationId, tx);
    const current = row.accessTokenEnc
      ? this.box.decrypt(row.accessTokenEnc, accessContext(installationId))
      : undefined;
    if (current && this.stillGood(row, current, need)) return { token: current };
    if (!locked) return { busy: true };
    if (!row.refreshTokenEnc) return { rejected: new OAuthRejectedError('no refresh token') };

    const refreshToken = this.box.decrypt(row.refreshTokenEnc, refreshContext(installationId));
    // Kommo counts the token endpoint in the same 7/s as the API: take a slot like any call.
    await this.limiter.acquire(installationId);
    try {
      const pair = await this.refreshOnHost(installationId, row, refreshToken);
      await this.store(tx, installationId, pair);
      return { token: pair.accessToken };
    } catch (error) {
      if (!(error instanceof OAuthRejectedError)) throw error;
      // Committed, not rolled back, so admin sees it and callers stop trying.
      await this.installations.markAuthFailed(tx, installationId, error.message);
      return { rejected: error };
    }
  }

  /**
   * Refreshes on the stored host; when that answers 401/404 or is gone (as the PHP SDK does,
   * docs/kommo-contract.md §2.6), finds the account's new host and refreshes there once.
   */
  private async refreshOnHost(id: string, row: TokenRow, refreshToken: string): Promise<TokenPair> {
    try {
      return await this.oauth.refresh(row, refreshToken);
    } catch (error) {
      const hostGone =
        (error instanceof OAuthRejectedError || error instanceof OAuthUnavailableError) &&
        error.hostGone;
      const moved = hostGone ? await this.relocator.relocate(id, row.host) : null;
      if (!moved) throw error;
      await this.limiter.acquire(id);
      return this.oauth.refresh(moved, refreshToken);
    }
  }

  private stillGood(row: TokenRow, current: string, need: RefreshNeed): boolean {
    if ('rejected' in need) return current !== need.rejected;
    return (row.tokenExpiresAt?.getTime() ?? 0) > need.expiringBefore;
  }

  private async read(installationId: string, tx?: Tx): Promise<TokenRow> {
    const row = await this.installations.readTokens(installationId, tx);
    if (!row) throw new KommoApiError({ kind: 'auth', message: 'installation not found' });
    if (row.status === 'disabled') {
      throw new KommoApiError({ kind: 'auth', message: 'installation is disabled' });
    }
    if (row.status === 'auth_failed') {
      throw new KommoApiError({ kind: 'auth', message: 'installation needs re-authorisation' });
    }
    return row;
  }

  private asKommoError(error: unknown): unknown {
    if (error instanceof OAuthRejectedError) {
      return new KommoApiError({ kind: 'auth', message: error.message });
    }
    if (error instanceof OAuthUnavailableError) {
      return new KommoApiError({ kind: 'network', message: error.message });
    }
    return error;
  }
}
