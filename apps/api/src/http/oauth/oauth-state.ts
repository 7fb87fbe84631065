import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseKeyRing } from '../../common/crypto/secret-box';

/** How long a consent window may stay open before its `state` stops being accepted. */
export const STATE_TTL_MS = 10 * 60_000;
const VERSION = 's1';

/**
 * The browser flow's `state`, signed instead of stored (docs/architecture.md, "Unauthenticated
 * callers"): `s1.<expiry ms, base36>.<nonce>.<HMAC-SHA256>`, keyed by a key derived from each of
 * ENCRYPTION_KEYS (the first signs, all verify, so a key rotation does not break open windows).
 * `GET /kommo/oauth/start` therefore stores no state in Redis, however often it is called (only its
 * client budget's counter per address, common/http/client-budget.ts).
 */
export class OAuthStateSigner {
  private readonly signing: Buffer;
  private readonly verifying: Buffer[];

  constructor(encryptionKeys: string) {
    const ring = parseKeyRing(encryptionKeys);
    const derive = (key: Buffer) =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'gptb oauth state', 32));
    this.verifying = [...ring.keys.values()].map(derive);
    this.signing = derive(ring.keys.get(ring.current)!);
  }

  issue(now = Date.now()): string {
    const body = `${VERSION}.${(now + STATE_TTL_MS).toString(36)}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${mac(this.signing, body)}`;
  }

  /** The state's nonce (to mark it used) and expiry, or null when forged, malformed or expired. */
  verify(state: string, now = Date.now()): { nonce: string; expiresAt: number } | null {
    if (state.length > 200) return null;
    const match = /^(s1\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22}))\.([A-Za-z0-9_-]{43})$/.exec(state);
    if (!match) return null;
    const [, body, expiry, nonce, given] = match;
    const expected = Buffer.from(given!, 'base64url');
    const good = this.verifying.some((key) => {
      const actual = Buffer.from(mac(key, body!), 'base64url');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    });
    const expiresAt = parseInt(expiry!, 36);
    if (!good || !(expiresAt > now) || expiresAt > now + STATE_TTL_MS) return null;
    return { nonce: nonce!, expiresAt };
  }
}

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(body).digest('base64url');
}
