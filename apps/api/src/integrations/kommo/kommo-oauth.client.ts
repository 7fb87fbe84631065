import { Injectable } from '@nestjs/common';
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import { z } from 'zod';
import { accountTimeZone } from './account-time-zone';
import { AppConfig } from '../../config/app-config';
import { AppError } from '../../common/errors/app-error';
import { kommoErrorFromAxios } from './kommo-errors';
import { type KommoHost, kommoBaseUrl } from './kommo-host';
import { parseAdminClaim } from './widget-token-claims';
import { redirectUriOf } from './redirect-uri';

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().int().positive(),
});

const AccountResponse = z.object({
  id: z.number().int().positive(),
  subdomain: z.string().min(1),
  current_user_id: z.number().int().optional(),
  language: z.string().optional(),
  _embedded: z
    .object({ datetime_settings: z.object({ timezone: z.string().optional() }).optional() })
    .optional(),
});

const UserResponse = z.object({
  lang: z.string().nullish(),
  rights: z.object({ is_admin: z.unknown().optional() }).optional(),
});

export type TokenPair = { accessToken: string; refreshToken: string; expiresAt: Date };
/** `requests`: how many Kommo calls reading it took (they count against the rate limit). */
export type KommoAccountInfo = {
  id: number;
  subdomain: string;
  language: string;
  /** IANA zone from the account's datetime settings; months and days of usage follow it. */
  timezone: string;
  /** Who authorized (the token's user) and whether they are an account admin; null = unknown. */
  userId: number | null;
  userIsAdmin: boolean | null;
  requests: number;
};

/** Kommo refused the grant (bad, expired or reused code / refresh token): re-authorisation needed. */
export class OAuthRejectedError extends AppError<'oauth_rejected'> {
  /** 401/404 or an unknown host: the account may have been renamed (docs/kommo-contract.md §2.6). */
  constructor(
    message: string,
    readonly hostGone = false,
  ) {
    super('oauth_rejected', 'internal', message);
  }
}

/** Kommo could not be reached or failed (network, 429, 5xx): try again later. */
export class OAuthUnavailableError extends AppError<'oauth_unavailable'> {
  constructor(
    message: string,
    readonly hostGone = false,
  ) {
    super('oauth_unavailable', 'internal', message);
  }
}

export class IntegrationNotConfiguredError extends AppError<'integration_not_configured'> {
  constructor() {
    super(
      'integration_not_configured',
      'internal',
      'Kommo integration is not configured (KOMMO_CLIENT_ID and KOMMO_CLIENT_SECRET)',
    );
  }
}

/**
 * Kommo's token endpoint (docs/kommo-contract.md §2.3) and the one account read an install needs
 * before a row exists.
 */
@Injectable()
export class KommoOAuthClient {
  private readonly http: AxiosInstance;

  constructor(private readonly config: AppConfig) {
    // No redirects: the body carries the client secret and a code or refresh token.
    this.http = axios.create({
      timeout: 15_000,
      maxRedirects: 0,
      headers: { accept: 'application/json' },
    });
  }

  exchangeCode(target: KommoHost, code: string): Promise<TokenPair> {
    return this.token(target, { grant_type: 'authorization_code', code });
  }

  refresh(target: KommoHost, refreshToken: string): Promise<TokenPair> {
    return this.token(target, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /**
   * The account, and the authorizing user's rights: `current_user_id` of `GET /api/v4/account` is
   * the token's user, `GET /api/v4/users/{id}` gives `rights.is_admin` and answers 403 to a
   * non-admin's token (docs/kommo-contract.md, users API).
   */
  /** `beforeEach` runs before each of its one or two reads (a rate-limit slot, when known). */
  async fetchAccount(
    target: KommoHost,
    accessToken: string,
    beforeEach: () => Promise<void> = () => Promise.resolve(),
  ): Promise<KommoAccountInfo> {
    const base = `${kommoBaseUrl(this.config.get('KOMMO_API_URL_TEMPLATE'), target)}/api/v4`;
    const headers = { authorization: `Bearer ${accessToken}` };
    try {
      await beforeEach();
      const account = AccountResponse.parse(
        (await this.http.get(`${base}/account?with=datetime_settings`, { headers })).data,
      );
      const userId = account.current_user_id ?? null;
      if (userId !== null) await beforeEach();
      const user =
        userId === null ? null : await this.fetchUser(`${base}/users/${userId}`, headers);
      // The account has no documented language; the installing user's `lang` is the best guess.
      const language = account.language ?? (user && 'lang' in user ? user.lang : undefined);
      return {
        id: account.id,
        subdomain: account.subdomain,
        language: language ?? 'en',
        timezone: accountTimeZone(account._embedded?.datetime_settings?.timezone),
        userId,
        userIsAdmin: user === null ? null : user.isAdmin,
        requests: userId === null ? 1 : 2,
      };
    } catch (error) {
      throw this.translate(error, 'account');
    }
  }

  private async fetchUser(
    url: string,
    headers: Record<string, string>,
  ): Promise<{ isAdmin: boolean; lang?: string | undefined }> {
    try {
      const data: unknown = (await this.http.get(url, { headers })).data;
      const user = UserResponse.parse(data || {});
      return {
        isAdmin: parseAdminClaim(user.rights?.is_admin) === true,
        lang: user.lang ?? undefined,
      };
    } catch (error) {
      // Reading users is admin-only: a 403 is the answer "not an admin", not a failure.
      if (isAxiosError(error) && error.response?.status === 403) return { isAdmin: false };
      throw error;
    }
  }

  private async token(target: KommoHost, grant: Record<string, string>): Promise<TokenPair> {
    const clientId = this.config.get('KOMMO_CLIENT_ID');
    const clientSecret = this.config.get('KOMMO_CLIENT_SECRET');
    if (!clientId || !clientSecret) throw new IntegrationNotConfiguredError();
    const url = `${kommoBaseUrl(this.config.get('KOMMO_API_URL_TEMPLATE'), target)}/oauth2/access_token`;
    const sentAt = Date.now();
    try {
      const response = await this.http.post<unknown>(url, {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uri: redirectUriOf(this.config),
        ...grant,
      });
      const body = TokenResponse.parse(response.data);
      return {
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        // Counted from when we asked, so our expiry is never later than Kommo's.
        expiresAt: new Date(sentAt + body.expires_in * 1000),
      };
    } catch (error) {
      throw this.translate(error, 'token');
    }
  }

  /** Maps a failure to one of our two errors; the message never carries the request (tokens). */
  private translate(error: unknown, what: string): Error {
    if (error instanceof z.ZodError) {
      return new OAuthUnavailableError(`Kommo ${what} response has an unexpected shape`);
    }
    if (!isAxiosError(error)) return error instanceof Error ? error : new Error(String(error));
    const failure = kommoErrorFromAxios(error);
    // The PHP SDK looks the account up after a refresh answering 401 or 404 (§2.6).
    const hostGone = failure.accountGone || failure.status === 401 || failure.status === 404;
    // Any 4xx but 429 means the grant itself is bad (docs/kommo-contract.md §2.3); the rest may
    // pass with time.
    return failure.retryable
      ? new OAuthUnavailableError(
          `Kommo ${what} endpoint unavailable: ${failure.message}`,
          hostGone,
        )
      : new OAuthRejectedError(`Kommo refused the ${what} request: ${failure.detail}`, hostGone);
  }
}
