import { decodeHsJwt, isNumericDate } from '../../common/jwt/hs-jwt';
import { parseAdminClaim, parseIdClaim } from './widget-token-claims';

/** What a valid X-Auth-Token says (docs/kommo-contract.md §3), with the claims we rely on typed. */
export type WidgetTokenClaims = {
  iss: string;
  accountId: number;
  userId: number;
  subdomain: string;
  /** `null`: the token does not say (Kommo's documented claims have no `is_admin`). */
  isAdmin: boolean | null;
  jti: string | null;
  iat: number;
  exp: number;
};

/** Why a token was refused: for logs only, never for the caller. */
export type WidgetTokenFailure =
  | 'malformed'
  | 'bad_header'
  | 'alg_not_allowed'
  | 'bad_signature'
  | 'bad_payload'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'wrong_audience'
  | 'wrong_client'
  | 'bad_account_id'
  | 'bad_user_id';

export type WidgetTokenResult =
  { ok: true; claims: WidgetTokenClaims } | { ok: false; reason: WidgetTokenFailure };

export type WidgetTokenOptions = {
  /** The integration's client secret (the HS256 key). */
  secret: string;
  /** Origin of our redirect URI: what Kommo puts in `aud`. */
  audience: string;
  clientId: string;
  nowMs?: number;
};

/** Kommo's and our clocks differ a little; 30 s is the usual JWT leeway. */
export const CLOCK_SKEW_SEC = 30;

/**
 * Verifies Kommo's widget token: HS256 pinned (hs-jwt.ts), then time, audience and client checks.
 * Times may be fractional seconds; ids may be strings (widget-token-claims.ts).
 */
export function verifyWidgetToken(token: string, options: WidgetTokenOptions): WidgetTokenResult {
  const fail = (reason: WidgetTokenFailure): WidgetTokenResult => ({ ok: false, reason });
  const decoded = decodeHsJwt(token, options.secret, ['HS256']);
  if (!decoded.ok) return fail(decoded.reason);
  const { payload } = decoded;
  const { iss, subdomain, exp, nbf, iat, aud, jti, client_uuid, account_id, user_id } = payload;
  if (typeof iss !== 'string' || typeof subdomain !== 'string') return fail('bad_payload');
  if (!isNumericDate(exp) || !isNumericDate(iat)) return fail('bad_payload');
  if (nbf !== undefined && !isNumericDate(nbf)) return fail('bad_payload');

  const now = (options.nowMs ?? Date.now()) / 1000;
  if (exp + CLOCK_SKEW_SEC <= now) return fail('expired');
  if (nbf !== undefined && nbf - CLOCK_SKEW_SEC > now) return fail('not_yet_valid');
  if (iat - CLOCK_SKEW_SEC > now) return fail('issued_in_future');

  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(options.audience)) return fail('wrong_audience');
  if (client_uuid !== undefined && client_uuid !== options.clientId) return fail('wrong_client');
  const accountId = parseIdClaim(account_id);
  if (accountId === null) return fail('bad_account_id');
  const userId = parseIdClaim(user_id);
  if (userId === null) return fail('bad_user_id');

  return {
    ok: true,
    claims: {
      iss,
      accountId,
      userId,
      subdomain,
      isAdmin: parseAdminClaim(payload.is_admin),
      jti: typeof jti === 'string' ? jti : null,
      iat,
      exp,
    },
  };
}

/** `aud` as Kommo derives it from the redirect URI: scheme + host (+ port). */
export function audienceOf(redirectUri: string): string {
  return new URL(redirectUri).origin;
}
