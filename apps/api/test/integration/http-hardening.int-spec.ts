import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../support/admin-client';
import { botToken } from '../support/bot-token';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { rawHeaders, rawHttp, rawJson, rawRequest } from '../support/raw-http';
import {
  type InstalledAccount,
  installAccount,
  postJson,
  requestRows,
} from '../support/webhook-stack';

// Issue 19, points 5, 7, 8, 9 and 10 (4: http-slow-clients.int-spec.ts): what anyone on the internet can send us, and the headers
// every answer carries (docs/architecture.md#http-hardening).
let stack: KommoStack;
let shop: InstalledAccount;

beforeAll(async () => {
  stack = await startKommoStack({ worker: true });
  shop = await installAccount(stack);
});

afterAll(async () => {
  await stack?.stop();
});

const KOMMO_ORIGIN = 'https://acme.kommo.com';
const nestedArrays = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

describe('malformed input gets a 4xx with a clear message (19.5)', () => {
  it('refuses a widget_request whose data nests 5,000 levels with 400 bad_body, not 503', async () => {
    const body = `{"token":"${botToken(stack.env.KOMMO_CLIENT_SECRET!, shop.account.id, 7)}","return_url":"${stack.sandbox.url}/a/x/api/v4/salesbot/1/continue/${randomUUID()}","data":{"next_step":1,"deep":${nestedArrays(5_000)}}}`;
    const response = await fetch(shop.assistantWidgetUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: string; message: string };
    expect(answer.error).toBe('bad_body');
    expect(answer.message).toContain('deeper than 32 levels');
  });

  it('refuses a classic webhook nested too deep, and logs it for the account', async () => {
    const response = await fetch(shop.chatgptUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"lead_id":5,"extra":${nestedArrays(40)}}`,
    });
    expect(response.status).toBe(400);
    expect((await response.json()) as object).toMatchObject({ error: 'bad_body' });
    const rows = await requestRows(stack, shop.installationId);
    expect(rows.some((r) => r.status !== 'queued' && r.error_class === 'bad_body')).toBe(true);
    // A body within the limit is still taken.
    expect((await postJson(shop.chatgptUrl, { lead_id: 5, extra: [[[1]]] })).status).toBe(200);
  });

  it('answers a query string with malformed percent-encoding 400 bad_query, not 500', async () => {
    for (const path of [
      '/health?%E0%A4%A=1',
      '/widget-api/session?a=%zz',
      '/admin/api/session?%',
    ]) {
      const response = await fetch(`${stack.apiUrl}${path}`);
      expect(response.status, path).toBe(400);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body, path).toMatchObject({ statusCode: 400, code: 'bad_query' });
      expect(typeof body.requestId).toBe('string');
    }
    const hook = await fetch(`${shop.chatgptUrl}?model=%E0%A4%A`, { method: 'POST' });
    expect(hook.status).toBe(400);
  });

  it('answers a repeated query parameter 400 (it reached routes as an array: a 500)', async () => {
    const callback = await fetch(
      `${stack.apiUrl}/kommo/oauth/callback?code=a&code=b&referer=x.kommo.com&referer=y.kommo.com`,
    );
    expect(callback.status).toBe(400);
    expect(await callback.json()).toMatchObject({ code: 'bad_query' });
    const usage = await fetch(`${stack.apiUrl}/widget-api/usage?month=2026-01&month=2026-02`);
    expect(usage.status).toBe(400);
    // Webhooks read the first value, as before: a URL that works in a salesbot keeps working.
    const hook = await postJson(`${shop.chatgptUrl}?model=gpt-4o-mini&model=x`, { lead_id: 3 });
    expect(hook.status).toBe(200);
  });

  it('answers a path with malformed percent-encoding 400 in our error shape', async () => {
    const answer = await rawRequest(stack.apiUrl, 'GET /admin/api/%E0%A4%A HTTP/1.1');
    expect(answer.status).toBe(400);
    expect(rawJson(answer)).toMatchObject({ statusCode: 400, code: 'bad_url' });
    expect(rawHeaders(answer)).toMatchObject({
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
  });

  it('answers other broken requests with a 4xx', async () => {
    const login = 'POST /admin/api/login HTTP/1.1\r\nContent-Type: application/json';
    const probes: [string, Promise<{ status: number | null }>, number][] = [
      ['truncated JSON', rawRequest(stack.apiUrl, login, '{"email":'), 400],
      ['JSON that is a string', rawRequest(stack.apiUrl, login, '"x"'), 400],
      [
        'prototype key',
        rawRequest(stack.apiUrl, login, '{"__proto__":{"x":1},"email":"a@b.c","password":"p"}'),
        400,
      ],
      [
        'XML',
        rawRequest(
          stack.apiUrl,
          'POST /admin/api/login HTTP/1.1\r\nContent-Type: text/xml',
          '<a/>',
        ),
        415,
      ],
      [
        'webhook XML',
        rawRequest(
          stack.apiUrl,
          `POST ${new URL(shop.chatgptUrl).pathname} HTTP/1.1\r\nContent-Type: text/xml`,
          '<a/>',
        ),
        415,
      ],
      [
        'a 40 kB header',
        rawRequest(stack.apiUrl, `GET /health HTTP/1.1\r\nX-Big: ${'a'.repeat(40_000)}`),
        431,
      ],
      [
        'a bad Content-Length',
        rawHttp(stack.apiUrl, ['POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n']),
        400,
      ],
      ['not HTTP', rawHttp(stack.apiUrl, ['HELLO\r\n\r\n']), 400],
      [
        'a 2 MB webhook body',
        postJson(shop.chatgptUrl, { lead_id: 1, pad: 'x'.repeat(2_000_000) }),
        413,
      ],
    ];
    for (const [name, answer, status] of probes) {
      expect((await answer).status, name).toBe(status);
    }
  });
});

describe('CORS belongs to the widget API only (19.8)', () => {
  const preflight = (path: string, origin = KOMMO_ORIGIN) =>
    fetch(`${stack.apiUrl}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

  it('answers a Kommo page preflight for /widget-api, with Vary: Origin', async () => {
    const response = await preflight('/widget-api/test-console');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(KOMMO_ORIGIN);
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  it('gives preflights to the admin API, webhooks and OAuth no CORS headers', async () => {
    for (const path of [
      '/admin/api/login',
      new URL(shop.chatgptUrl).pathname,
      '/kommo/uninstall',
    ]) {
      const response = await preflight(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(response.headers.get('access-control-allow-methods'), path).toBeNull();
      expect(response.headers.get('vary'), path).toMatch(/Origin/);
    }
    const session = await fetch(`${stack.apiUrl}/admin/api/session`, {
      headers: { origin: KOMMO_ORIGIN },
    });
    expect(session.headers.get('access-control-allow-origin')).toBeNull();
    expect(session.headers.get('vary')).toMatch(/Origin/);
  });
});

describe('admin sign-in takes JSON only (19.9)', () => {
  const email = 'json-only@gptbridge.test';
  const password = 'a long enough password 19';

  beforeAll(() => createAdminUser(stack, email, 'support', password));

  it('refuses a form or text body with 415 and signs nobody in', async () => {
    const bodies: [string, string][] = [
      ['application/x-www-form-urlencoded', new URLSearchParams({ email, password }).toString()],
      ['text/plain', JSON.stringify({ email, password })],
      [
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${email}\r\n--x--`,
      ],
    ];
    for (const [type, body] of bodies) {
      const response = await fetch(`${stack.apiUrl}/admin/api/login`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(response.status, type).toBe(415);
      expect(response.headers.get('set-cookie'), type).toBeNull();
    }
    const json = await postJson(`${stack.apiUrl}/admin/api/login`, { email, password });
    expect(json.status).toBe(200);
    expect(json.headers.get('set-cookie')).toMatch(/^gptb_admin_session=|^[^=]+=/);
  });
});

describe('security headers (19.10)', () => {
  const policyOf = (response: Response) =>
    new Map(
      (response.headers.get('content-security-policy') ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name = '', ...values]) => [name, values]),
    );

  it('gives the admin panel a policy its build satisfies, and no framing', async () => {
    const page = await fetch(`${stack.apiUrl}/admin/`);
    expect(page.status).toBe(200);
    const policy = policyOf(page);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    // The Vite build: scripts and styles are same-origin files, nothing inline.
    const html = await page.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', inline = ''] of scripts) {
      expect(attributes).toMatch(/src="\/admin\/assets\//);
      expect(inline.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    for (const [, href] of html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)) {
      expect(href).toMatch(/^\/admin\/assets\//);
      expect((await fetch(`${stack.apiUrl}${href}`)).status).toBe(200);
    }
  });

  it('allows the install result page its one style element by hash', async () => {
    const page = await fetch(`${stack.apiUrl}/kommo/oauth/callback?error=access_denied`);
    const html = await page.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
    expect(style).toBeDefined();
    const hash = `'sha256-${createHash('sha256').update(style!).digest('base64')}'`;
    expect(policyOf(page).get('style-src')).toContain(hash);
    expect(policyOf(page).get('style-src')).not.toContain("'unsafe-inline'");
  });

  it('marks JSON answers no-store and nosniff, webhooks included', async () => {
    const answers = [
      await fetch(`${stack.apiUrl}/admin/api/session`),
      await fetch(`${stack.apiUrl}/health`),
      await postJson(shop.chatgptUrl, { lead_id: 9 }),
      await fetch(`${stack.apiUrl}/no/such/route`),
    ];
    for (const answer of answers) {
      expect(answer.headers.get('content-type'), answer.url).toMatch(/json/);
      expect(answer.headers.get('cache-control'), answer.url).toMatch(/\bno-store\b/);
      expect(answer.headers.get('x-content-type-options'), answer.url).toBe('nosniff');
    }
  });

  it('sends HSTS only for requests that came over https', async () => {
    const plain = await fetch(`${stack.apiUrl}/health`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    const proxied = await fetch(`${stack.apiUrl}/health`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(proxied.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
  });

  it('lets Kommo pages read widget API answers', async () => {
    const { token } = await stack.sandbox.widgetToken(shop.account.id);
    const response = await fetch(`${stack.apiUrl}/widget-api/session`, {
      headers: { origin: KOMMO_ORIGIN, 'x-auth-token': token },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(KOMMO_ORIGIN);
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});

describe('provider settings are for account administrators (19.7)', () => {
  it('answers a non-administrator 403 for GET /widget-api/providers', async () => {
    const staff = await stack.sandbox.createAccount({
      subdomain: `staff${Date.now()}`,
      current_user_is_admin: false,
    });
    await stack.sandbox.install(staff.id);
    await waitFor(
      async () =>
        (
          await stack.db.query<{ status: string }[]>(
            `SELECT status FROM installations WHERE kommo_account_id = $1`,
            [staff.id],
          )
        )[0]?.status,
      (status) => status === 'active',
    );
    const read = async (account: number) => {
      const { token } = await stack.sandbox.widgetToken(account);
      return fetch(`${stack.apiUrl}/widget-api/providers`, { headers: { 'x-auth-token': token } });
    };
    const refused = await read(staff.id);
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toMatch(/hint|provider"/);
    expect((await read(shop.account.id)).status).toBe(200);
  });
});
