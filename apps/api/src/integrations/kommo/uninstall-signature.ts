import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Equality that takes the same time wherever the strings differ (hashing first fixes the length). */
export function constantTimeEquals(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Kommo's uninstall hook signature (docs/kommo-contract.md §2.7):
 * hex(HMAC-SHA256(client_secret, "client_id|account_id")), and `client_uuid` must be our client
 * id. Both compared in constant time.
 */
export function isValidUninstallSignature(
  params: { clientUuid: string; accountId: string; signature: string },
  integration: { clientId: string; clientSecret: string },
): boolean {
  if (!HEX_SHA256.test(params.signature) || !/^\d{1,18}$/.test(params.accountId)) return false;
  const expected = createHmac('sha256', integration.clientSecret)
    .update(`${integration.clientId}|${params.accountId}`)
    .digest();
  const signatureOk = timingSafeEqual(expected, Buffer.from(params.signature, 'hex'));
  const clientOk = constantTimeEquals(params.clientUuid, integration.clientId);
  return signatureOk && clientOk;
}
