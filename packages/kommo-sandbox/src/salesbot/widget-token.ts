import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { type AccountInfo } from './ports.js';

// How long a widget_request token stays valid; Kommo does not say, X-Auth-Token lives 30 min.
const TOKEN_TTL_SECONDS = 30 * 60;

/**
 * The `token` of a widget_request: HS512 (as the official PHP SDK verifies it), signed with the
 * integration's client secret, with the claims the SDK reads.
 */
export function signBotToken(input: {
  account: AccountInfo;
  clientId: string;
  clientSecret: string;
  leadId: number;
  nowMs: number;
}): Promise<string> {
  const iat = Math.floor(input.nowMs / 1000);
  return new SignJWT({
    client_uuid: input.clientId,
    subdomain: input.account.subdomain,
    account_id: input.account.id,
    entity_id: input.leadId,
    entity_type: 2,
    bot_type: 'salesbot',
  })
    .setProtectedHeader({ alg: 'HS512', typ: 'JWT' })
    .setIssuer(input.account.url)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(input.clientSecret));
}
