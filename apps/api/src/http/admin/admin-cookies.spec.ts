import { describe, expect, it } from 'vitest';
import { clearedSessionCookie, parseCookies, SESSION_COOKIE, sessionCookie } from './admin-cookies';

describe('parseCookies', () => {
  it('reads name=value pairs with spaces, quotes and escapes', () => {
    const cookies = parseCookies(`a=1; ${SESSION_COOKIE}=abc-_123;  b="quoted"; c=x%20y`);
    expect(cookies.get('a')).toBe('1');
    expect(cookies.get(SESSION_COOKIE)).toBe('abc-_123');
    expect(cookies.get('b')).toBe('quoted');
    expect(cookies.get('c')).toBe('x y');
  });

  it('keeps the first of a repeated name and skips junk', () => {
    const cookies = parseCookies('a=first; a=second; =nameless; novalue; d=%E0%A4%A');
    expect(cookies.get('a')).toBe('first');
    expect(cookies.has('')).toBe(false);
    expect(cookies.has('novalue')).toBe(false);
    expect(cookies.get('d')).toBe('%E0%A4%A');
  });

  it('handles a missing or empty header', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies('').size).toBe(0);
  });

  it('keeps "=" inside values (base64 padding)', () => {
    expect(parseCookies('t=ab==').get('t')).toBe('ab==');
  });
});

describe('sessionCookie', () => {
  it('is httpOnly, SameSite=Strict, scoped to /admin, Secure only on https', () => {
    const plain = sessionCookie('tok', { secure: false, maxAgeSeconds: 3600 });
    expect(plain).toBe(
      `${SESSION_COOKIE}=tok; Path=/admin; Max-Age=3600; HttpOnly; SameSite=Strict`,
    );
    expect(sessionCookie('tok', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
  });

  it('clears with an empty value and Max-Age=0', () => {
    expect(clearedSessionCookie(true)).toBe(
      `${SESSION_COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict; Secure`,
    );
  });
});
