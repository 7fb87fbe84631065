/** The session cookie's name; its Path keeps it off every other route of the host. */
export const SESSION_COOKIE = 'gptb_admin';
const COOKIE_PATH = '/admin';

/**
 * The cookies of a `Cookie` header (RFC 6265 shape: `a=1; b=2`). The first of a repeated name
 * wins, as browsers send the most specific path first; a bad %-escape keeps the raw value.
 */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (!name || cookies.has(name)) continue;
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

export type CookieOptions = { secure: boolean; maxAgeSeconds: number };

/** httpOnly (scripts never read it), SameSite=Strict (no cross-site sends), Secure on https. */
export function sessionCookie(token: string, options: CookieOptions): string {
  const parts = [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
  ];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { secure, maxAgeSeconds: 0 });
}
