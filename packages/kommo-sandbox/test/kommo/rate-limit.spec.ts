import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  accountWithToken,
  startSandbox,
  type Harness,
  type ProblemBody,
  type TestAccount,
} from './helpers.js';

type Counters = { total: number; status429: number; status403: number; blocked: number };

describe('Kommo rate limit (7 requests per second per integration+account)', () => {
  let h: Harness;
  let acme: TestAccount;
  const get = (account: TestAccount = acme) =>
    h.call('GET', `${account.prefix}/api/v4/account`, { token: account.token });
  const burst = async (count: number, account: TestAccount = acme) => {
    const statuses: number[] = [];
    for (let i = 0; i < count; i += 1) statuses.push((await get(account)).status);
    return statuses;
  };

  beforeAll(async () => {
    h = await startSandbox({ rateLimit: true });
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    // Virtual time stands still unless a test moves it, so the window is exact.
    await h.control('PUT', '/clock/speed', { speed: 1e-9 });
    await h.control('PATCH', '/settings', { rateLimit: { violationsToBlock: 3, blockMs: 60_000 } });
    acme = await accountWithToken(h, { subdomain: 'acme' });
  });
  afterAll(() => h.close());

  it('answers the 8th request within a second with 429 problem+json and retry_after', async () => {
    expect(await burst(7)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    const eighth = await get();
    expect(eighth.status).toBe(429);
    expect(eighth.headers.get('content-type')).toContain('application/problem+json');
    const body = (await eighth.json()) as ProblemBody;
    expect(body).toMatchObject({
      title: 'Too Many Requests',
      type: 'https://httpstatus.es/429',
      status: 429,
    });
    expect(body.retry_after).toBe(1);
    const counters = await h.control<Counters>('GET', '/requests/counters');
    expect(counters.body.status429).toBe(1);
  });

  it('slides the window: slots free up as the oldest requests turn a second old', async () => {
    await burst(4);
    await h.control('POST', '/clock/advance', { ms: 500 });
    await burst(3);
    expect((await get()).status).toBe(429);
    await h.control('POST', '/clock/advance', { ms: 501 });
    // The first four left the window, the last three have not.
    expect(await burst(4)).toEqual([200, 200, 200, 200]);
    expect((await get()).status).toBe(429);
  });

  it('blocks the account with 403 after repeated violations, for the configured period', async () => {
    await burst(7);
    expect(await burst(3)).toEqual([429, 429, 429]);
    const blocked = await get();
    expect(blocked.status).toBe(403);
    expect(((await blocked.json()) as ProblemBody).title).toBe('Forbidden');
    await h.control('POST', '/clock/advance', { seconds: 30 });
    expect((await get()).status).toBe(403);
    await h.control('POST', '/clock/advance', { seconds: 31 });
    expect((await get()).status).toBe(200);
    const counters = await h.control<Counters>('GET', '/requests/counters');
    expect(counters.body).toMatchObject({ status429: 3, status403: 2, blocked: 2 });
    const logged = await h.control<{ requests: { outcome: string }[] }>(
      'GET',
      '/requests?status=403',
    );
    expect(logged.body.requests.map((r) => r.outcome)).toEqual(['blocked', 'blocked']);
  });

  it('counts each account separately, and the token endpoint too', async () => {
    const other = await accountWithToken(h, { subdomain: 'other' });
    await burst(7);
    expect((await get(other)).status).toBe(200);
    const token = await h.call('POST', `${acme.prefix}/oauth2/access_token`, {
      body: { grant_type: 'refresh_token' },
    });
    expect(token.status).toBe(429);
  });

  it('can share one budget between all accounts (the "per IP" reading)', async () => {
    await h.control('PATCH', '/settings', { rateLimit: { scope: 'global' } });
    const other = await accountWithToken(h, { subdomain: 'other' });
    await burst(4);
    await burst(3, other);
    expect((await get(other)).status).toBe(429);
  });

  it('can count per caller address (the "7 per second for IP" reading)', async () => {
    const changed = await h.control<{ rateLimit: { scope: string } }>('PATCH', '/settings', {
      rateLimit: { scope: 'ip' },
    });
    expect(changed.body.rateLimit.scope).toBe('ip');
    const other = await accountWithToken(h, { subdomain: 'other' });
    await burst(4);
    await burst(3, other);
    // Same address: both accounts spent the one budget.
    expect((await get(other)).status).toBe(429);
    // Another address (a second loopback source) has a budget of its own.
    const url = new URL(`${h.base}${acme.prefix}/api/v4/account`);
    const fromElsewhere = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        url,
        { localAddress: '127.0.0.2', headers: { authorization: `Bearer ${acme.token}` } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(fromElsewhere).toBe(200);
  });

  it('blocks a caller on request through the control API, and refuses a bad scope', async () => {
    const blocked = await h.control<{ blocked_until: number }>('POST', '/rate-limit/block', {
      account_id: acme.accountId,
      seconds: 10,
    });
    expect(blocked.status).toBe(200);
    const during = await get();
    expect(during.status).toBe(403);
    expect(((await during.json()) as ProblemBody).detail).toMatch(/too many requests/i);
    await h.control('POST', '/clock/advance', { seconds: 11 });
    expect((await get()).status).toBe(200);
    const bad = await h.control('PATCH', '/settings', { rateLimit: { scope: 'planet' } });
    expect(bad.status).toBe(400);
    const noAccount = await h.control('POST', '/rate-limit/block', { seconds: 1 });
    expect(noAccount.status).toBe(400);
  });

  it('follows a changed budget', async () => {
    await h.control('PATCH', '/settings', { rateLimit: { perWindow: 2, retryAfterSec: 300 } });
    expect(await burst(3)).toEqual([200, 200, 429]);
    expect(((await (await get()).json()) as ProblemBody).retry_after).toBe(300);
  });
});
