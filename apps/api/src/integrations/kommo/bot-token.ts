import {
  decodeHsJwt,
  type HsJwtFailure,
  isNumericDate,
  isPositiveInteger,
} from '../../common/jwt/hs-jwt';
import { CLOCK_SKEW_SEC } from './verify-widget-token';

/** The claims of a salesbot widget_request token that we rely on (docs/kommo-contract.md §5.1). */
export type BotTokenClaims = {
  accountId: number;
  /** The lead (entity_type 2) or customer the bot runs on. */
  entityId: number | null;
  entityType: number | null;
  subdomain: string | null;
  /** Kommo's token id, when it sends one; replay protection falls back to the whole token. */
  jti: string | null;
  exp: number;
};

export type BotTokenFailure = HsJwtFailure | 'expired' | 'bad_account_id' | 'wrong_account';

export type BotTokenResult =
  { ok: true; claims: BotTokenClaims } | { ok: false; reason: BotTokenFailure };

/**
 * Verifies the one-time token Kommo puts in a widget_request body: signed with our client
 * secret, HS512 per Kommo's SDK (HS256 accepted too), not expired, and for the account that owns
 * the webhook token in the URL.
 */
export function verifyBotToken(
  token: string,
  options: { secret: string; kommoAccountId: number; nowMs?: number },
): BotTokenResult {
  const fail = (reason: BotTokenFailure): BotTokenResult => ({ ok: false, reason });
  const decoded = decodeHsJwt(token, options.secret, ['HS512', 'HS256']);
  if (!decoded.ok) return fail(decoded.reason);
  const { exp, account_id, entity_id, entity_type, subdomain, jti } = decoded.payload;
  if (!isNumericDate(exp)) return fail('bad_payload');
  if ((options.nowMs ?? Date.now()) / 1000 >= exp + CLOCK_SKEW_SEC) return fail('expired');
  const accountId = typeof account_id === 'string' ? Number(account_id) : account_id;
  if (!isPositiveInteger(accountId)) return fail('bad_account_id');
  if (accountId !== options.kommoAccountId) return fail('wrong_account');
  const entity = typeof entity_id === 'string' ? Number(entity_id) : entity_id;
  const type = typeof entity_type === 'string' ? Number(entity_type) : entity_type;
  return {
    ok: true,
    claims: {
      accountId,
      entityId: isPositiveInteger(entity) ? entity : null,
      entityType: isPositiveInteger(type) ? type : null,
      subdomain: typeof subdomain === 'string' ? subdomain : null,
      jti: typeof jti === 'string' && jti.length > 0 && jti.length <= 200 ? jti : null,
      exp,
    },
  };
}
