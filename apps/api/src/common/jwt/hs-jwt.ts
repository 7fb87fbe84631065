import { createHmac, timingSafeEqual } from 'node:crypto';

export type HsAlgorithm = 'HS256' | 'HS512';

export type HsJwtFailure =
  'malformed' | 'bad_header' | 'alg_not_allowed' | 'bad_signature' | 'bad_payload';

export type HsJwtResult =
  | { ok: true; alg: HsAlgorithm; payload: Record<string, unknown> }
  | { ok: false; reason: HsJwtFailure };

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HASH: Record<HsAlgorithm, string> = { HS256: 'sha256', HS512: 'sha512' };

/**
 * Checks an HMAC-signed JWT with node:crypto only: the algorithm must be one we list (so `none`
 * and key-confusion tricks fail), the signature is compared in constant time. Claims are the
 * caller's to check.
 */
export function decodeHsJwt(
  token: string,
  secret: string,
  allowed: readonly HsAlgorithm[],
): HsJwtResult {
  const fail = (reason: HsJwtFailure): HsJwtResult => ({ ok: false, reason });
  const parts = token.split('.');
  if (parts.length !== 3) return fail('malformed');
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  if (!BASE64URL.test(headerPart) || !BASE64URL.test(payloadPart)) return fail('malformed');

  const header = decodeJson(headerPart);
  if (!header) return fail('bad_header');
  const alg = allowed.find((candidate) => candidate === header.alg);
  if (!alg) return fail('alg_not_allowed');
  // RFC 7515: extensions marked critical that we do not understand make the token invalid.
  if ('crit' in header) return fail('bad_header');

  if (!signatureMatches(`${headerPart}.${payloadPart}`, signaturePart, secret, alg)) {
    return fail('bad_signature');
  }
  const payload = decodeJson(payloadPart);
  return payload ? { ok: true, alg, payload } : fail('bad_payload');
}

export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function signatureMatches(
  signingInput: string,
  signaturePart: string,
  secret: string,
  alg: HsAlgorithm,
): boolean {
  const expected = createHmac(HASH[alg], secret).update(signingInput).digest();
  const given = Buffer.from(signaturePart, 'base64url');
  // Buffer.from skips characters it does not know; re-encoding catches a non-canonical form.
  if (given.toString('base64url') !== signaturePart) return false;
  // timingSafeEqual throws on different lengths; a wrong length is simply a wrong signature.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
