import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountWithToken, startReceiver, startSandbox, type Harness } from './helpers.js';

const CLIENT = {
  client_id: 'client-1',
  client_secret: 'secret-1',
  redirect_uri: 'https://bridge.test/kommo/callback',
};
type Tokens = {
  token_type: string;
  expires_in: number;
  access_token: string;
  refresh_token: string;
  server_time: number;
};
type OAuthError = { hint: string; title: string; type: string; status: number; detail: string };

describe('Kommo OAuth', () => {
  let h: Harness;
  let accountId = 0;
  const tokenUrl = '/a/acme/oauth2/access_token';

  const newCode = async () =>
    (
      await h.control<{ code: string; redirect: string }>('POST', `/accounts/${accountId}/codes`, {
        state: 's1',
      })
    ).body;
  const exchange = (body: Record<string, string>, form = false) =>
    fetch(`${h.base}${tokenUrl}`, {
      method: 'POST',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });
  const byCode = (code: string, form = false) =>
    exchange({ ...CLIENT, grant_type: 'authorization_code', code }, form);
  const byRefresh = (refresh_token: string) =>
    exchange({ ...CLIENT, grant_type: 'refresh_token', refresh_token });

  beforeAll(async () => {
    h = await startSandbox({ integration: CLIENT });
  });
  beforeEach(async () => {
    await h.control('POST', '/reset', { keep_integration: true });
    await h.control('PATCH', '/settings', { rateLimit: { enabled: false } });
    accountId = (await h.control<{ id: number }>('POST', '/accounts', { subdomain: 'acme' })).body
      .id;
  });
  afterAll(() => h.close());

  it('exchanges a code sent as JSON for a 24 h Bearer pair with an api_domain claim', async () => {
    const response = await byCode((await newCode()).code);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as Tokens;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 86400 });
    const payload = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(payload).toMatchObject({
      api_domain: 'acme.kommo.com',
      account_id: accountId,
      aud: CLIENT.client_id,
    });
    const api = await h.call('GET', '/a/acme/api/v4/account', { token: tokens.access_token });
    expect(api.status).toBe(200);
  });

  it('accepts a form-encoded token request', async () => {
    const response = await byCode((await newCode()).code, true);
    expect(response.status).toBe(200);
    expect(((await response.json()) as Tokens).refresh_token).toMatch(/^def50200/);
  });

  it('rejects a code used twice and a code older than 20 minutes with OAuthProblemJson', async () => {
    const { code } = await newCode();
    expect((await byCode(code)).status).toBe(200);
    const reused = await byCode(code);
    expect(reused.status).toBe(400);
    expect((await reused.json()) as OAuthError).toEqual({
      hint: 'Authorization code has been revoked',
      title: 'Bad request',
      type: 'https://developers.amocrm.ru/v3/errors/OAuthProblemJson',
      status: 400,
      detail: expect.any(String) as string,
    });

    const old = await newCode();
    await h.control('POST', '/clock/advance', { minutes: 21 });
    const expired = await byCode(old.code);
    expect(expired.status).toBe(400);
    expect(((await expired.json()) as OAuthError).hint).toBe('Authorization code has expired');
  });

  it('checks the client secret and the redirect_uri', async () => {
    const { code } = await newCode();
    const wrongSecret = await exchange({
      ...CLIENT,
      client_secret: 'nope',
      grant_type: 'authorization_code',
      code,
    });
    expect(wrongSecret.status).toBe(401);
    const wrongRedirect = await exchange({
      ...CLIENT,
      redirect_uri: 'https://evil.test',
      grant_type: 'authorization_code',
      code,
    });
    expect(wrongRedirect.status).toBe(400);
    expect(((await wrongRedirect.json()) as OAuthError).type).toContain('OAuthProblemJson');
  });

  it('answers a code for another account as undecryptable', async () => {
    await h.control('POST', '/accounts', { subdomain: 'other' });
    const { code } = await newCode();
    const response = await fetch(`${h.base}/a/other/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...CLIENT, grant_type: 'authorization_code', code }),
    });
    expect(((await response.json()) as OAuthError).hint).toBe(
      'Cannot decrypt the authorization code',
    );
  });

  it('rotates refresh tokens and, strictly by default, kills a used one at once', async () => {
    const first = (await (await byCode((await newCode()).code)).json()) as Tokens;
    const second = (await (await byRefresh(first.refresh_token)).json()) as Tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const reuse = await byRefresh(first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(((await reuse.json()) as OAuthError).hint).toBe('Token has been revoked');
    expect((await byRefresh(second.refresh_token)).status).toBe(200);
    const refreshes = await h.control<{ count: number }>(
      'GET',
      '/requests?kind=oauth.refresh_token&status=200',
    );
    expect(refreshes.body.count).toBe(2);
  });

  it('in grace mode keeps the previous refresh token until its successor is used once', async () => {
    await h.control('PATCH', '/settings', { oauth: { refreshRotation: 'grace' } });
    const first = (await (await byCode((await newCode()).code)).json()) as Tokens;
    const lost = (await (await byRefresh(first.refresh_token)).json()) as Tokens;
    // The response with `lost` never reached the client: it retries with the old token.
    const retried = await byRefresh(first.refresh_token);
    expect(retried.status).toBe(200);
    const kept = (await retried.json()) as Tokens;
    expect((await byRefresh(lost.refresh_token)).status).toBe(400);
    expect((await byRefresh(kept.refresh_token)).status).toBe(200);
    // The successor has been used: the first token is dead now.
    expect((await byRefresh(first.refresh_token)).status).toBe(400);
  });

  it('expires access tokens after 24 hours on the sandbox clock', async () => {
    const { token, prefix } = await accountWithToken(h, { subdomain: 'timey' });
    await h.control('POST', '/clock/advance', { hours: 23, minutes: 59 });
    expect((await h.call('GET', `${prefix}/api/v4/account`, { token })).status).toBe(200);
    await h.control('POST', '/clock/advance', { minutes: 1 });
    const expired = await h.call('GET', `${prefix}/api/v4/account`, { token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('content-type')).toContain('application/problem+json');
    expect(await expired.json()).toEqual({
      title: 'Unauthorized',
      type: 'https://httpstatus.es/401',
      status: 401,
      detail: 'Invalid user name or password',
    });
  });

  it('answers 401 on API calls and refuses refresh after the tokens are revoked', async () => {
    const tokens = (await (await byCode((await newCode()).code)).json()) as Tokens;
    await h.control('POST', `/accounts/${accountId}/revoke-tokens`);
    expect(
      (await h.call('GET', '/a/acme/api/v4/leads', { token: tokens.access_token })).status,
    ).toBe(401);
    expect((await byRefresh(tokens.refresh_token)).status).toBe(400);
  });

  it('renders a consent page whose Allow and Deny redirect like Kommo', async () => {
    const page = await fetch(`${h.base}/oauth?client_id=${CLIENT.client_id}&state=xyz&mode=popup`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="allow"');
    const decide = (decision: string) =>
      fetch(
        `${h.base}/oauth/decide?client_id=${CLIENT.client_id}&state=xyz&account_id=${accountId}&decision=${decision}`,
        {
          redirect: 'manual',
        },
      );
    const allow = new URL((await decide('allow')).headers.get('location') ?? '');
    expect(`${allow.origin}${allow.pathname}`).toBe(CLIENT.redirect_uri);
    expect(allow.searchParams.get('state')).toBe('xyz');
    expect(allow.searchParams.get('referer')).toBe('acme.kommo.com');
    expect(allow.searchParams.get('client_id')).toBe(CLIENT.client_id);
    expect((await byCode(allow.searchParams.get('code') ?? '')).status).toBe(200);
    const deny = new URL((await decide('deny')).headers.get('location') ?? '');
    expect(Object.fromEntries(deny.searchParams)).toEqual({
      error: 'access_denied',
      client_id: CLIENT.client_id,
      state: 'xyz',
    });
  });

  it('finds a renamed account by refresh token on the new host and on /central, not on the old one', async () => {
    const tokens = (await (await byCode((await newCode()).code)).json()) as Tokens;
    await h.control('PATCH', `/accounts/${accountId}`, { subdomain: 'acme-renamed' });
    const lookup = (path: string, token = tokens.refresh_token) =>
      fetch(`${h.base}${path}/oauth2/account/current/subdomain`, {
        headers: { 'x-refresh-token': token },
      });
    const old = await lookup('/a/acme');
    expect(old.status).toBe(404);
    for (const path of ['/central', '/a/acme-renamed']) {
      const found = await lookup(path);
      expect(found.status).toBe(200);
      expect(await found.json()).toEqual({
        id: accountId,
        subdomain: 'acme-renamed',
        domain: 'acme-renamed.kommo.com',
        top_level_domain: 'com',
      });
    }
    expect((await lookup('/central', 'def50200-unknown')).status).toBe(401);
  });
});

describe('install call and uninstall hook', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    h = await startSandbox();
  });
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => receiver.close());
  afterAll(() => h.close());

  it('sends the install GET once with code, referer and from_widget=1; the code works', async () => {
    await h.control('PUT', '/integration', {
      ...CLIENT,
      redirect_uri: `${receiver.url}/kommo/install`,
    });
    const account = await h.control<{ id: number }>('POST', '/accounts', {
      subdomain: 'inst',
      domain: 'amocrm.ru',
    });
    const result = await h.control<{ call: { status: number } }>(
      'POST',
      `/accounts/${account.body.id}/install`,
    );
    expect(result.body.call.status).toBe(200);
    expect(receiver.hits).toHaveLength(1);
    const hit = receiver.hits[0]?.url;
    expect(hit?.pathname).toBe('/kommo/install');
    expect(hit?.searchParams.get('referer')).toBe('inst.amocrm.ru');
    expect(hit?.searchParams.get('from_widget')).toBe('1');
    const response = await fetch(`${h.base}/a/inst/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...CLIENT,
        redirect_uri: `${receiver.url}/kommo/install`,
        grant_type: 'authorization_code',
        code: hit?.searchParams.get('code'),
      }),
    });
    expect(response.status).toBe(200);
    const outbound = await h.control<{ count: number }>(
      'GET',
      '/requests?direction=out&kind=install',
    );
    expect(outbound.body.count).toBe(1);
  });

  it('gives up on a slow receiver after the 3 s budget without retrying', async () => {
    const slow = await startReceiver({ delayMs: 1_000 });
    await h.control('PUT', '/integration', { redirect_uri: `${slow.url}/cb` });
    await h.control('PATCH', '/settings', { outboundTimeoutMs: 200 });
    const account = await h.control<{ id: number }>('POST', '/accounts', { subdomain: 'slowpoke' });
    const result = await h.control<{ call: { status: number; error: string } }>(
      'POST',
      `/accounts/${account.body.id}/install`,
    );
    expect(result.body.call.status).toBe(0);
    expect(result.body.call.error).toMatch(/timeout/);
    expect(slow.hits).toHaveLength(1);
    await slow.close();
  });

  it('signs the uninstall hook with HMAC-SHA256(client_secret, "client_id|account_id") and can forge it', async () => {
    await h.control('PUT', '/integration', {
      ...CLIENT,
      uninstall_hook_url: `${receiver.url}/kommo/uninstall?t=abc`,
    });
    const account = await h.control<{ id: number }>('POST', '/accounts', { subdomain: 'bye' });
    const { access_token: token } = (
      await h.control<{ access_token: string }>('POST', `/accounts/${account.body.id}/tokens`)
    ).body;
    expect((await h.call('GET', '/a/bye/api/v4/account', { token })).status).toBe(200);
    await h.control('POST', `/accounts/${account.body.id}/uninstall`);
    const expected = createHmac('sha256', CLIENT.client_secret)
      .update(`${CLIENT.client_id}|${account.body.id}`)
      .digest('hex');
    const params = receiver.hits[0]?.url.searchParams;
    expect(params?.get('client_uuid')).toBe(CLIENT.client_id);
    expect(params?.get('account_id')).toBe(String(account.body.id));
    expect(params?.get('signature')).toBe(expected);
    expect(params?.get('t')).toBe('abc');
    expect(receiver.hits[0]?.headers['user-agent']).toBe('amoService-oAuth-Code-Sender/1.0');
    // Disabling the integration revokes its tokens.
    expect((await h.call('GET', '/a/bye/api/v4/account', { token })).status).toBe(401);

    await h.control('POST', `/accounts/${account.body.id}/uninstall`, { forge: true });
    const forged = receiver.hits[1]?.url.searchParams.get('signature');
    expect(forged).toMatch(/^[0-9a-f]{64}$/);
    expect(forged).not.toBe(expected);
  });
});
