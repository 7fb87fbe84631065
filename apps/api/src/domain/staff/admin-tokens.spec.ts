import { describe, expect, it } from 'vitest';
import { csrfAllows, csrfTokenFor, newSessionToken, sha256Hex } from './admin-tokens';

describe('CSRF check', () => {
  const session = newSessionToken();
  const csrf = csrfTokenFor(session);
  const hash = sha256Hex(csrf);

  it('lets safe methods through without a token', () => {
    expect(csrfAllows('GET', undefined, hash)).toBe(true);
    expect(csrfAllows('head', undefined, hash)).toBe(true);
  });

  it('needs the session token on every other method', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(csrfAllows(method, undefined, hash)).toBe(false);
      expect(csrfAllows(method, '', hash)).toBe(false);
      expect(csrfAllows(method, csrf, hash)).toBe(true);
    }
  });

  it('refuses another session token, a repeated header and a near miss', () => {
    expect(csrfAllows('POST', csrfTokenFor(newSessionToken()), hash)).toBe(false);
    expect(csrfAllows('POST', [csrf, csrf], hash)).toBe(false);
    expect(csrfAllows('POST', `${csrf}x`, hash)).toBe(false);
    expect(csrfAllows('POST', session, hash)).toBe(false);
  });

  it('derives the same token from the same session, different ones otherwise', () => {
    expect(csrfTokenFor(session)).toBe(csrf);
    expect(newSessionToken()).not.toBe(session);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
