// Headers: the security headers on admin HTML and on JSON answers, HSTS only behind https, CORS
// only on /widget-api and only for Kommo's origins, and the admin cookie's attributes.
import { call, expect } from './probe-kit.mjs';

const KOMMO_ORIGIN = 'https://acme.kommo.com';
const EVIL_ORIGIN = 'https://evil.example';

export async function headerProbes(run, fx) {
  const { apiUrl, accounts } = fx;
  const { a } = accounts;
  run.group('headers');
  const h = (r, name) => r.headers.get(name) ?? '';

  await run.probe('admin-html-csp-and-framing', async () => {
    const r = await call(`${apiUrl}/admin/`);
    const csp = h(r, 'content-security-policy');
    expect(r.status === 200, `/admin/ answered ${r.status}`);
    expect(/frame-ancestors 'none'/.test(csp), `CSP: ${csp || 'none'}`);
    expect(
      /script-src 'self'(;|$)/.test(csp) && !/unsafe-inline|unsafe-eval/.test(csp),
      `CSP: ${csp}`,
    );
    expect(h(r, 'x-frame-options') === 'DENY', `X-Frame-Options: ${h(r, 'x-frame-options')}`);
    return "frame-ancestors 'none', script-src 'self', X-Frame-Options DENY";
  });
  await run.probe('admin-html-nosniff-referrer', async () => {
    const r = await call(`${apiUrl}/admin/`);
    expect(h(r, 'x-content-type-options') === 'nosniff', 'no nosniff');
    expect(
      h(r, 'referrer-policy') === 'no-referrer',
      `Referrer-Policy: ${h(r, 'referrer-policy')}`,
    );
    return 'nosniff, no-referrer';
  });
  await run.probe('result-page-csp', async () => {
    const r = await call(`${apiUrl}/kommo/oauth/callback?error=access_denied`);
    expect(/frame-ancestors 'none'/.test(h(r, 'content-security-policy')), 'no CSP on the page');
    return "the install result page has frame-ancestors 'none'";
  });
  await run.probe('json-no-store-nosniff', async () => {
    const targets = {
      health: () => call(`${apiUrl}/health`),
      'admin session': () => call(`${apiUrl}/admin/api/session`),
      'widget 401': () => call(`${apiUrl}/widget-api/session`),
      404: () => call(`${apiUrl}/no/such/route`),
      'webhook 404': () =>
        call(`${apiUrl}/${'B'.repeat(43)}/handler`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      'webhook 200': () =>
        call(a.chatgpt.handler, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"lead_id":424243}',
        }),
    };
    for (const [name, get] of Object.entries(targets)) {
      const r = await get();
      expect(
        h(r, 'cache-control').includes('no-store'),
        `${name}: Cache-Control "${h(r, 'cache-control')}"`,
      );
      expect(h(r, 'x-content-type-options') === 'nosniff', `${name}: no nosniff`);
    }
    return `${Object.keys(targets).length} kinds of JSON answer: no-store, nosniff`;
  });
  await run.probe('hsts-only-behind-https', async () => {
    const plain = await call(`${apiUrl}/health`);
    const proxied = await call(`${apiUrl}/health`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(!plain.headers.has('strict-transport-security'), 'HSTS on plain http');
    expect(/max-age=\d{7,}/.test(h(proxied, 'strict-transport-security')), 'no HSTS behind https');
    return 'absent on http, max-age ≥ 1e6 s behind https';
  });
  await run.probe('no-framework-banner', async () => {
    const r = await call(`${apiUrl}/health`);
    expect(!r.headers.has('x-powered-by'), `X-Powered-By: ${h(r, 'x-powered-by')}`);
    expect(!/\d/.test(h(r, 'server')), `Server: ${h(r, 'server')}`);
    return 'no X-Powered-By, no versioned Server';
  });

  const preflight = (path, origin) =>
    call(`${apiUrl}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrf-token',
      },
    });
  const noCors = (r, what) => {
    expect(
      !r.headers.has('access-control-allow-origin'),
      `${what}: ACAO ${h(r, 'access-control-allow-origin')}`,
    );
    expect(!r.headers.has('access-control-allow-credentials'), `${what}: allows credentials`);
  };
  for (const [name, path] of [
    ['admin-api', '/admin/api/login'],
    ['admin-api-action', `/admin/api/accounts/${a.installationId}/disable`],
    ['webhook', new URL(a.chatgpt.handler).pathname],
    ['oauth', '/kommo/oauth/callback'],
  ]) {
    await run.probe(`cors-preflight-refused:${name}`, async () => {
      for (const origin of [EVIL_ORIGIN, KOMMO_ORIGIN]) {
        noCors(await preflight(path, origin), origin);
      }
      return 'no allow headers for any origin';
    });
  }
  await run.probe('cors-widget-api-kommo-origin', async () => {
    const r = await preflight('/widget-api/session', KOMMO_ORIGIN);
    expect(
      r.status === 204 && h(r, 'access-control-allow-origin') === KOMMO_ORIGIN,
      `${r.status} ACAO ${h(r, 'access-control-allow-origin')}`,
    );
    expect(!r.headers.has('access-control-allow-credentials'), 'credentials allowed');
    return '204, origin echoed, no credentials';
  });
  await run.probe('cors-widget-api-foreign-origin', async () => {
    noCors(await preflight('/widget-api/session', EVIL_ORIGIN), 'preflight');
    const r = await call(`${apiUrl}/widget-api/session`, {
      headers: { origin: EVIL_ORIGIN, 'x-auth-token': fx.widgetToken(a) },
    });
    noCors(r, 'GET');
    expect(/origin/i.test(h(r, 'vary')), `Vary: ${h(r, 'vary')}`);
    return 'no allow headers for evil.example; Vary: Origin';
  });
  await run.probe('admin-cookie-attributes', async () => {
    const s = await fx.signIn(fx.users.admin);
    const attributes = s.cookieAttributes ?? '';
    for (const part of ['HttpOnly', 'SameSite=Strict', 'Path=/admin']) {
      expect(
        attributes.includes(part),
        `cookie lacks ${part}: ${attributes.replace(/=[^;]{20,}/, '=…')}`,
      );
    }
    return 'HttpOnly; SameSite=Strict; Path=/admin';
  });
  await run.probe('request-id-injection', async () => {
    for (const id of ['a"},"level":60,"msg":"forged', 'x'.repeat(100), '<script>']) {
      const r = await call(`${apiUrl}/health`, { headers: { 'x-request-id': id } });
      const echoed = h(r, 'x-request-id');
      expect(echoed !== id && /^[0-9a-f-]{36}$/.test(echoed), `echoed "${echoed.slice(0, 40)}"`);
    }
    return 'forged, overlong and markup ids replaced by a fresh UUID (in the answer and the logs)';
  });
  await run.probe('errors-without-internals', async () => {
    const s = await fx.signIn(fx.users.admin);
    for (const route of [
      '/accounts/not-a-uuid',
      '/requests/%27%3B--',
      '/accounts/00000000-0000-4000-8000-000000000000',
    ]) {
      const r = await fx.admin(s, 'GET', route);
      expect(r.status >= 400 && r.status < 500, `${route} answered ${r.status}`);
      expect(
        !/\bat \S+ \(|node_modules|QueryFailedError|SELECT /.test(r.text),
        `${route} leaks internals: ${r.text.slice(0, 80)}`,
      );
    }
    return 'bad ids → 4xx without stack, SQL or paths';
  });
}
