import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { type HostAccount, type HostIntegration, type HostUser } from './host-directory.js';

// The widget's disposable X-Auth-Token (docs/kommo-contract.md §3): HS256 with the client secret,
// 30 minutes, audience = scheme+host of the integration's redirect URI.

export const TOKEN_TTL_SEC = 30 * 60;

/** Deliberately broken tokens for the backend's negative tests. */
export const TOKEN_VARIANTS = [
  'valid',
  'bad_signature',
  'alg_none',
  'expired',
  'not_yet_valid',
  'wrong_aud',
  'other_account',
] as const;
export type TokenVariant = (typeof TOKEN_VARIANTS)[number];

/**
 * How the claims are typed (docs/kommo-contract.md, widget token). `is_admin`: `bool` (what the
 * PHP SDK reads, the default), `number` (1/0), `string` ("1"/"0") or `absent` (Kommo's documented
 * claim list has none). `ids`: `number` (documented) or `string`. `fractional_times` adds a
 * fraction of a second to iat/nbf/exp.
 */
export type TokenShape = {
  is_admin: 'bool' | 'number' | 'string' | 'absent';
  ids: 'number' | 'string';
  fractional_times: boolean;
};
export const DEFAULT_TOKEN_SHAPE: TokenShape = {
  is_admin: 'bool',
  ids: 'number',
  fractional_times: false,
};
const ADMIN_FORMS = ['bool', 'number', 'string', 'absent'] as const;
const ID_FORMS = ['number', 'string'] as const;

/** A partial shape from a request body on top of `base`; a string names the problem. */
export function parseTokenShape(input: unknown, base: TokenShape): TokenShape | string {
  if (input === undefined) return base;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return 'shape must be an object {is_admin?, ids?, fractional_times?}';
  }
  const { is_admin: admin, ids, fractional_times: fractional } = input as Record<string, unknown>;
  if (admin !== undefined && !ADMIN_FORMS.includes(admin as TokenShape['is_admin'])) {
    return `shape.is_admin must be one of ${ADMIN_FORMS.join(', ')}`;
  }
  if (ids !== undefined && !ID_FORMS.includes(ids as TokenShape['ids'])) {
    return `shape.ids must be one of ${ID_FORMS.join(', ')}`;
  }
  if (fractional !== undefined && typeof fractional !== 'boolean') {
    return 'shape.fractional_times must be a boolean';
  }
  return {
    is_admin: (admin as TokenShape['is_admin'] | undefined) ?? base.is_admin,
    ids: (ids as TokenShape['ids'] | undefined) ?? base.ids,
    fractional_times: fractional ?? base.fractional_times,
  };
}

function shapeClaims(claims: JWTPayload, isAdmin: boolean, shape: TokenShape): void {
  if (shape.is_admin === 'absent') delete claims.is_admin;
  else if (shape.is_admin === 'number') claims.is_admin = isAdmin ? 1 : 0;
  else if (shape.is_admin === 'string') claims.is_admin = isAdmin ? '1' : '0';
  if (shape.ids === 'string') {
    claims.account_id = String(claims.account_id);
    claims.user_id = String(claims.user_id);
  }
  if (shape.fractional_times) {
    for (const name of ['iat', 'nbf', 'exp'] as const) {
      if (typeof claims[name] === 'number') claims[name] += 0.5;
    }
  }
}

export type TokenSubject = {
  account: HostAccount;
  user: HostUser;
  integration: HostIntegration;
  /** The id `other_account` puts in `account_id` (another sandbox account, or a made-up one). */
  otherAccountId: number;
};

export type WidgetTokenClaims = JWTPayload & {
  account_id: number | string;
  user_id: number | string;
  subdomain: string;
  client_uuid: string;
  is_admin?: boolean | number | string;
};

export type MintedToken = { token: string; header: Record<string, unknown>; claims: JWTPayload };

/** `aud` as Kommo derives it: scheme + host (+ port) of the redirect URI. */
export function audienceOf(redirectUri: string): string {
  return new URL(redirectUri).origin;
}

const keyOf = (secret: string): Uint8Array => new TextEncoder().encode(secret);

export async function mintWidgetToken(
  subject: TokenSubject,
  nowMs: number,
  variant: TokenVariant = 'valid',
  overrides: Record<string, unknown> = {},
  shape: TokenShape = DEFAULT_TOKEN_SHAPE,
): Promise<MintedToken> {
  const { account, user, integration } = subject;
  const now = Math.floor(nowMs / 1000);
  let iat = now;
  let nbf = now;
  if (variant === 'expired') iat = nbf = now - 2 * TOKEN_TTL_SEC;
  if (variant === 'not_yet_valid') nbf = now + 10 * 60;
  const claims: JWTPayload = {
    iss: `https://${account.host}`,
    aud:
      variant === 'wrong_aud'
        ? 'https://wrong-audience.example'
        : audienceOf(integration.redirect_uri),
    jti: randomUUID(),
    iat,
    nbf,
    exp: Math.max(iat, nbf) + TOKEN_TTL_SEC,
    account_id: variant === 'other_account' ? subject.otherAccountId : account.id,
    user_id: user.id,
    subdomain: account.subdomain,
    client_uuid: integration.client_id,
    is_admin: user.is_admin,
  };
  shapeClaims(claims, user.is_admin, shape);
  // An override of null drops the claim (to test "claim missing").
  for (const [name, value] of Object.entries(overrides)) {
    if (value === null) delete claims[name];
    else claims[name] = value;
  }

  if (variant === 'alg_none') {
    const token = new UnsecuredJWT(claims).encode();
    return { token, header: decodeProtectedHeader(token), claims };
  }
  const secret =
    variant === 'bad_signature'
      ? `${integration.client_secret}-not-the-secret`
      : integration.client_secret;
  const header = { alg: 'HS256', typ: 'JWT' };
  const token = await new SignJWT(claims).setProtectedHeader(header).sign(keyOf(secret));
  return { token, header, claims };
}

export type TokenCheck =
  { valid: true; claims: WidgetTokenClaims } | { valid: false; error: string; code: string };

/** Verifies a token like a careful backend would (also used by the echo endpoint). */
export async function verifyWidgetToken(
  token: string,
  integration: HostIntegration,
  nowMs: number,
): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, keyOf(integration.client_secret), {
      algorithms: ['HS256'],
      audience: audienceOf(integration.redirect_uri),
      currentDate: new Date(nowMs),
      requiredClaims: ['iat', 'exp', 'account_id', 'user_id', 'client_uuid'],
    });
    if (payload.client_uuid !== integration.client_id) {
      return {
        valid: false,
        code: 'ERR_CLIENT_UUID',
        error: 'client_uuid is not this integration',
      };
    }
    return { valid: true, claims: payload as WidgetTokenClaims };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'ERR_UNKNOWN';
    return { valid: false, code, error: (error as Error).message };
  }
}
