import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: the session cookie's value. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The CSRF token is derived from the session token, so `GET /me` can hand it out again after a
 * page reload while the table keeps only hashes.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('admin-csrf').digest('base64url');
}

/** Methods that change nothing and so need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True when the request may go on: a safe method, or an `x-csrf-token` whose hash equals the
 * session's (hashes have a fixed length, so the comparison is constant-time for any input).
 */
export function csrfAllows(
  method: string,
  header: string | string[] | undefined,
  csrfTokenHash: string,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return true;
  if (typeof header !== 'string' || header.length === 0) return false;
  const given = Buffer.from(sha256Hex(header), 'hex');
  const expected = Buffer.from(csrfTokenHash, 'hex');
  return expected.length === given.length && timingSafeEqual(given, expected);
}
