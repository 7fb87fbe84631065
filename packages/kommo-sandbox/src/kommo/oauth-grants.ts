import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  type AccessToken,
  type AuthCode,
  type KommoAccount,
  type KommoSettings,
  type RefreshToken,
} from './types.js';

/** The token endpoint's success body (docs/kommo-contract.md §2.3). */
export type TokenPair = {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
  server_time: number;
};

export type OAuthFailure = {
  error: 'invalid_grant' | 'invalid_request' | 'invalid_client' | 'unsupported_grant_type';
  hint: string;
};

export type AccessCheck =
  { ok: true; token: AccessToken } | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

export type OAuthSnapshot = {
  codes: AuthCode[];
  access: AccessToken[];
  refresh: RefreshToken[];
  signingKey: string;
};

type Deps = {
  now: () => number;
  settings: () => KommoSettings['oauth'];
  account: (id: number) => KommoAccount | undefined;
  changed: () => void;
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Authorization codes, access tokens and rotating refresh tokens. All lifetimes are read from the
 * sandbox clock so tests can expire them by advancing it.
 */
export class OAuthGrants {
  private codes = new Map<string, AuthCode>();
  private access = new Map<string, AccessToken>();
  private refresh = new Map<string, RefreshToken>();
  private signingKey = randomBytes(32).toString('hex');

  constructor(private readonly deps: Deps) {}

  issueCode(accountId: number, userId: number, clientId: string): AuthCode {
    const now = this.deps.now();
    const code: AuthCode = {
      // Kommo's codes are long opaque strings.
      code: `def50200${randomBytes(48).toString('hex')}`,
      account_id: accountId,
      user_id: userId,
      client_id: clientId,
      issued_at: now,
      expires_at: now + this.deps.settings().codeTtlSec * 1000,
      used: false,
      revoked: false,
    };
    this.codes.set(code.code, code);
    this.deps.changed();
    return code;
  }

  /** `grant_type=authorization_code`: a code works once, for its account, within its lifetime. */
  exchangeCode(accountId: number, code: string, clientId: string): TokenPair | OAuthFailure {
    const grant = this.codes.get(code);
    if (!grant || grant.account_id !== accountId) {
      return { error: 'invalid_grant', hint: 'Cannot decrypt the authorization code' };
    }
    if (grant.client_id !== clientId) {
      return { error: 'invalid_grant', hint: 'Authorization code was not issued to this client' };
    }
    if (grant.used || grant.revoked) {
      return { error: 'invalid_grant', hint: 'Authorization code has been revoked' };
    }
    if (this.deps.now() > grant.expires_at) {
      return { error: 'invalid_grant', hint: 'Authorization code has expired' };
    }
    grant.used = true;
    return this.issueTokens(accountId, grant.user_id, clientId);
  }

  /**
   * `grant_type=refresh_token`: returns a new pair. 'strict' rotation kills the used token at
   * once; 'grace' lets it be used again until its successor has been used once.
   */
  exchangeRefresh(accountId: number, token: string, clientId: string): TokenPair | OAuthFailure {
    const grant = this.refresh.get(token);
    if (!grant || grant.account_id !== accountId || grant.client_id !== clientId) {
      return { error: 'invalid_grant', hint: 'Invalid refresh token' };
    }
    if (grant.revoked) return { error: 'invalid_grant', hint: 'Token has been revoked' };
    if (this.deps.now() > grant.expires_at) {
      return { error: 'invalid_grant', hint: 'Token has expired' };
    }
    if (grant.used_at !== null) {
      const successor = grant.rotated_to ? this.refresh.get(grant.rotated_to) : undefined;
      const graceOpen =
        this.deps.settings().refreshRotation === 'grace' && successor && successor.used_at === null;
      if (!graceOpen) return { error: 'invalid_grant', hint: 'Token has been revoked' };
      // The client never got (or lost) the successor: it is replaced by the new pair.
      successor.revoked = true;
    }
    const pair = this.issueTokens(accountId, grant.user_id, clientId);
    grant.used_at = this.deps.now();
    grant.rotated_to = pair.refresh_token;
    this.deps.changed();
    return pair;
  }

  /** Issues a fresh pair directly (the control API's shortcut past the consent flow). */
  issueTokens(accountId: number, userId: number, clientId: string): TokenPair {
    const now = this.deps.now();
    const settings = this.deps.settings();
    const access: AccessToken = {
      token: this.signAccessToken(accountId, userId, clientId, now, settings.accessTokenTtlSec),
      account_id: accountId,
      user_id: userId,
      client_id: clientId,
      issued_at: now,
      expires_at: now + settings.accessTokenTtlSec * 1000,
      revoked: false,
    };
    const refresh: RefreshToken = {
      token: `def50200${randomBytes(96).toString('hex')}`,
      account_id: accountId,
      user_id: userId,
      client_id: clientId,
      issued_at: now,
      expires_at: now + settings.refreshTokenTtlSec * 1000,
      revoked: false,
      rotated_to: null,
      used_at: null,
    };
    this.access.set(access.token, access);
    this.refresh.set(refresh.token, refresh);
    this.deps.changed();
    return {
      token_type: 'Bearer',
      expires_in: settings.accessTokenTtlSec,
      access_token: access.token,
      refresh_token: refresh.token,
      server_time: Math.floor(now / 1000),
    };
  }

  checkAccessToken(token: string): AccessCheck {
    const grant = this.access.get(token);
    if (!grant) return { ok: false, reason: 'unknown' };
    if (grant.revoked) return { ok: false, reason: 'revoked' };
    if (this.deps.now() >= grant.expires_at) return { ok: false, reason: 'expired' };
    return { ok: true, token: grant };
  }

  /** What Kommo does when the integration is disabled: every code and token stops working. */
  revokeAccount(accountId: number): number {
    let count = 0;
    for (const grant of [
      ...this.codes.values(),
      ...this.access.values(),
      ...this.refresh.values(),
    ]) {
      if (grant.account_id === accountId && !grant.revoked) {
        grant.revoked = true;
        count += 1;
      }
    }
    this.deps.changed();
    return count;
  }

  /** Live (unrevoked, unexpired) access tokens of an account, newest first. */
  activeAccessTokens(accountId: number): AccessToken[] {
    return [...this.access.values()]
      .filter((t) => t.account_id === accountId && this.checkAccessToken(t.token).ok)
      .sort((a, b) => b.issued_at - a.issued_at);
  }

  findRefreshToken(token: string): RefreshToken | undefined {
    return this.refresh.get(token);
  }

  // JWT-looking (Kommo's tokens after 2024-08 are JWTs with api_domain); validated by lookup.
  private signAccessToken(
    accountId: number,
    userId: number,
    clientId: string,
    now: number,
    ttl: number,
  ): string {
    const account = this.deps.account(accountId);
    const iat = Math.floor(now / 1000);
    const header = b64({ typ: 'JWT', alg: 'HS256' });
    const payload = b64({
      aud: clientId,
      jti: randomUUID(),
      iat,
      nbf: iat,
      exp: iat + ttl,
      sub: String(userId),
      grant_type: '',
      account_id: accountId,
      base_domain: account?.domain ?? 'kommo.com',
      version: 2,
      scopes: ['crm', 'notifications'],
      api_domain: account?.host ?? '',
    });
    const signature = createHmac('sha256', this.signingKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  snapshot(): OAuthSnapshot {
    return {
      codes: [...this.codes.values()],
      access: [...this.access.values()],
      refresh: [...this.refresh.values()],
      signingKey: this.signingKey,
    };
  }

  restore(snapshot: OAuthSnapshot): void {
    this.reset();
    for (const code of snapshot.codes) this.codes.set(code.code, code);
    for (const token of snapshot.access) this.access.set(token.token, token);
    for (const token of snapshot.refresh) this.refresh.set(token.token, token);
    this.signingKey = snapshot.signingKey;
  }

  reset(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
  }
}
