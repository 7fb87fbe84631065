import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdminApiError, api, messageOf, setCsrfToken, whenSignedOut } from './api';

type Call = { url: string; init: RequestInit };

/** A fetch that records its calls and answers `status` with `body` (a string is sent as is). */
function stubFetch(status: number, body: unknown): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(status === 204 ? null : text, { status }));
  });
  return calls;
}

async function failure(promise: Promise<unknown>): Promise<AdminApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AdminApiError) return error;
    throw error;
  }
  throw new Error('the call did not fail');
}

describe('messageOf', () => {
  it('prefers the API message, in either of Nest shapes', () => {
    expect(messageOf(403, { message: 'This needs the admin role.' })).toBe(
      'This needs the admin role.',
    );
    expect(messageOf(400, { message: ['planId: Required', 'leadDailyCap: too small'] })).toBe(
      'planId: Required; leadDailyCap: too small',
    );
  });

  it('explains the status when the body says nothing', () => {
    expect(messageOf(0, null)).toMatch(/could not be reached/);
    expect(messageOf(401, {})).toBe('Your session has ended. Sign in again.');
    expect(messageOf(403, { message: '' })).toBe('Your role may not do this.');
    expect(messageOf(429, 'Too Many')).toMatch(/^Too many attempts/);
    expect(messageOf(502, '<html>bad gateway</html>')).toMatch(/^The API failed \(502\)/);
    expect(messageOf(409, { message: [] })).toBe('The API answered 409.');
  });
});

describe('api', () => {
  let signedOut = 0;
  beforeEach(() => {
    signedOut = 0;
    whenSignedOut(() => {
      signedOut += 1;
    });
    setCsrfToken('csrf-1');
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('sends the cookie on every call and the CSRF header on changes only', async () => {
    const calls = stubFetch(200, { ok: true });
    await api('GET', '/accounts?q=shop');
    await api('POST', '/accounts/a1/reprovision');
    await api('PUT', '/accounts/a1/plan', { planId: 'pro' });
    expect(calls.map((c) => c.url)).toEqual([
      '/admin/api/accounts?q=shop',
      '/admin/api/accounts/a1/reprovision',
      '/admin/api/accounts/a1/plan',
    ]);
    for (const { init } of calls) expect(init.credentials).toBe('same-origin');
    const headers = calls.map((c) => c.init.headers as Record<string, string>);
    expect(headers[0]).toEqual({});
    expect(headers[1]).toEqual({ 'x-csrf-token': 'csrf-1' });
    expect(headers[2]).toEqual({ 'content-type': 'application/json', 'x-csrf-token': 'csrf-1' });
    expect(calls[2]!.init.body).toBe('{"planId":"pro"}');
  });

  it('returns the parsed body, or undefined for an empty one', async () => {
    stubFetch(200, { accounts: [{ id: 'a1' }] });
    await expect(api('GET', '/accounts')).resolves.toEqual({ accounts: [{ id: 'a1' }] });
    stubFetch(204, '');
    await expect(api('POST', '/logout')).resolves.toBeUndefined();
  });

  it('turns a 401 into the sign-in page, except for the sign-in call itself', async () => {
    stubFetch(401, { message: 'Sign in to the admin panel first.' });
    const error = await failure(api('GET', '/accounts'));
    expect(error.status).toBe(401);
    expect(error.message).toBe('Sign in to the admin panel first.');
    expect(signedOut).toBe(1);

    stubFetch(401, { message: 'Wrong email or password.' });
    expect((await failure(api('POST', '/login', { email: 'a', password: 'b' }))).message).toBe(
      'Wrong email or password.',
    );
    expect(signedOut).toBe(1);
  });

  it('keeps the session on 403 and 429, with their messages', async () => {
    stubFetch(403, { message: 'This needs the admin role.' });
    expect((await failure(api('PUT', '/accounts/a1/plan', {}))).status).toBe(403);
    stubFetch(429, {
      message: 'Too many failed sign-ins for this email. Try again in 1 minute.',
    });
    const locked = await failure(api('POST', '/login', {}));
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(/Try again in 1 minute/);
    expect(signedOut).toBe(0);
  });

  it('reports an unreachable API as status 0 and a non-JSON error page by its status', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const offline = await failure(api('GET', '/queues'));
    expect(offline.status).toBe(0);
    expect(offline.message).toMatch(/could not be reached/);

    stubFetch(503, '<html>Service Unavailable</html>');
    const down = await failure(api('GET', '/queues'));
    expect(down.status).toBe(503);
    expect(down.message).toMatch(/^The API failed \(503\)/);
  });
});
