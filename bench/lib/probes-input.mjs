// Bad input is the caller's fault, never ours (docs/architecture.md#http-hardening): deep nesting,
// broken percent-encoding on every route family, repeated parameters, oversized bodies, wrong
// content types, huge headers, path traversal under /admin/ and HTTP method confusion.
import { call, expect, raw, rawRequest } from './probe-kit.mjs';

const nested = (levels) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
const not5xx = (status) => status !== null && status < 500;

export async function inputProbes(run, fx) {
  const { apiUrl, accounts } = fx;
  const { a } = accounts;
  const post = (url, type, body, headers = {}) =>
    call(url, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  run.group('bad-input');

  await run.probe('widget-request-data-nested-5000', async () => {
    const body = `{"token":"${fx.botToken(a)}","return_url":"${fx.continueUrl(a)}","data":{"next_step":1,"deep":${nested(5_000)}}}`;
    const r = await post(a.assistant.widgetRequest, 'application/json', body);
    expect(
      r.status === 400 && r.json().error === 'bad_body',
      `answered ${r.status} ${r.text.slice(0, 60)}`,
    );
    return '400 bad_body (was 503)';
  });
  await run.probe('classic-json-nested-40', async () => {
    const r = await post(a.chatgpt.handler, 'application/json', `{"lead_id":5,"x":${nested(40)}}`);
    expect(r.status === 400, `answered ${r.status}`);
    return '400';
  });
  await run.probe('classic-form-keys-nested-5000', async () => {
    const body = `a${'[x]'.repeat(5_000)}=1&lead_id=5`;
    const r = await post(a.chatgpt.handler, 'application/x-www-form-urlencoded', body);
    expect(not5xx(r.status), `answered ${r.status}`);
    return `answered ${r.status}`;
  });
  await run.probe('admin-login-json-nested-5000', async () => {
    const r = await post(
      `${apiUrl}/admin/api/login`,
      'application/json',
      `{"email":${nested(5_000)},"password":"x"}`,
    );
    expect(r.status === 400, `answered ${r.status}`);
    return '400';
  });
  await run.probe('widget-api-json-nested-5000', async () => {
    const r = await call(`${apiUrl}/widget-api/providers`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-auth-token': fx.widgetToken(a) },
      body: `{"assistant":${nested(5_000)}}`,
    });
    expect(r.status === 400, `answered ${r.status}`);
    return '400';
  });

  // Broken percent-encoding in the query, one probe per route family.
  const badQueries = {
    health: ['GET', '/health?%E0%A4%A=1'],
    'oauth-start': ['GET', '/kommo/oauth/start?x=%zz'],
    'oauth-callback': ['GET', `/kommo/oauth/callback?code=%E0%A4%A&referer=${a.host}`],
    uninstall: ['GET', '/kommo/uninstall?account_id=%'],
    'widget-api': ['GET', '/widget-api/session?a=%zz'],
    'admin-api': ['GET', '/admin/api/session?%'],
    'admin-static': ['GET', '/admin/?%zz=1'],
    'webhook-handler': ['POST', `${new URL(a.chatgpt.handler).pathname}?model=%E0%A4%A`],
    'webhook-widget-request': ['POST', `${new URL(a.chatgpt.widgetRequest).pathname}?x=%zz`],
  };
  for (const [family, [method, target]] of Object.entries(badQueries)) {
    await run.probe(`bad-query-encoding:${family}`, async () => {
      const r = await rawRequest(apiUrl, `${method} ${target} HTTP/1.1`);
      expect(r.status === 400, `${method} ${target} answered ${r.status}`);
      return '400';
    });
  }
  const badPaths = {
    'admin-api': '/admin/api/%E0%A4%A',
    'widget-api': '/widget-api/%zz',
    oauth: '/kommo/%E0%A4%A',
    webhook: '/%E0%A4%A/handler',
  };
  for (const [family, target] of Object.entries(badPaths)) {
    await run.probe(`bad-path-encoding:${family}`, async () => {
      const r = await rawRequest(apiUrl, `GET ${target} HTTP/1.1`);
      expect(
        r.status !== null && r.status >= 400 && r.status < 500,
        `${target} answered ${r.status}`,
      );
      return `${r.status}`;
    });
  }

  // Repeated parameters reached routes as arrays (a 500); webhooks read the first value.
  const repeated = {
    'oauth-callback': `/kommo/oauth/callback?code=aaaaaaaaaa&code=bbbbbbbbbb&referer=${a.host}`,
    uninstall: `/kommo/uninstall?account_id=1&account_id=2&signature=x`,
    'widget-api': '/widget-api/usage?month=2026-01&month=2026-02',
    'admin-api': '/admin/api/requests?status=failed&status=done',
  };
  for (const [family, target] of Object.entries(repeated)) {
    await run.probe(`duplicate-query-params:${family}`, async () => {
      const r = await call(`${apiUrl}${target}`);
      expect(r.status === 400, `answered ${r.status}`);
      return '400 bad_query';
    });
  }
  await run.probe('duplicate-query-params:webhook', async () => {
    const r = await post(
      `${a.chatgpt.handler}?model=gpt-4o-mini&model=x`,
      'application/json',
      '{"lead_id":3}',
    );
    expect(r.status === 200, `answered ${r.status}`);
    return '200 (the first value counts, as before)';
  });

  // Oversized bodies.
  const big = (bytes) => `{"lead_id":5,"pad":"${'x'.repeat(bytes)}"}`;
  await run.probe('oversized-body:webhook-known-token', async () => {
    const r = await post(a.chatgpt.handler, 'application/json', big(300_000));
    expect(r.status === 413, `answered ${r.status}`);
    return '413 at 300 kB (limit 256 KiB)';
  });
  await run.probe('oversized-body:webhook-unknown-token', async () => {
    const r = await post(`${apiUrl}/${'A'.repeat(43)}/handler`, 'application/json', big(1_200_000));
    expect(r.status === 413, `answered ${r.status}`);
    return '413 at 1.2 MB';
  });
  await run.probe('oversized-body:webhook-chunked', async () => {
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = [
      `POST ${new URL(a.chatgpt.handler).pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      ...Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`),
      '0\r\n\r\n',
    ];
    const r = await raw(apiUrl, chunks);
    expect(r.status === 413, `answered ${r.status}`);
    return '413 for 1.3 MB chunked without Content-Length';
  });
  await run.probe('oversized-body:admin-login', async () => {
    const r = await post(
      `${apiUrl}/admin/api/login`,
      'application/json',
      `{"email":"${'x'.repeat(1_200_000)}","password":"x"}`,
    );
    expect(r.status === 413, `answered ${r.status}`);
    return '413';
  });
  await run.probe('oversized-body:widget-api', async () => {
    const r = await call(`${apiUrl}/widget-api/providers`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-auth-token': fx.widgetToken(a) },
      body: `{"openaiApiKey":"${'x'.repeat(1_200_000)}"}`,
    });
    expect(r.status === 413, `answered ${r.status}`);
    return '413';
  });

  // Wrong content types.
  await run.probe('admin-login-form-body-no-session', async () => {
    const user = fx.users.admin;
    const body = new URLSearchParams({ email: user.email, password: user.password }).toString();
    const r = await post(`${apiUrl}/admin/api/login`, 'application/x-www-form-urlencoded', body, {
      'x-forwarded-for': fx.nextAddress(),
    });
    expect(r.status === 415, `answered ${r.status}`);
    expect(r.setCookies.length === 0, 'a session cookie was set');
    return '415 with the right password, no cookie (no login CSRF)';
  });
  await run.probe('admin-login-text-plain', async () => {
    const user = fx.users.admin;
    const r = await post(
      `${apiUrl}/admin/api/login`,
      'text/plain',
      JSON.stringify({ email: user.email, password: user.password }),
      {
        'x-forwarded-for': fx.nextAddress(),
      },
    );
    expect(r.status === 415 && r.setCookies.length === 0, `answered ${r.status}`);
    return '415, no cookie';
  });
  await run.probe('widget-api-text-plain', async () => {
    const r = await call(`${apiUrl}/widget-api/providers`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', 'x-auth-token': fx.widgetToken(a) },
      body: '{"openaiApiKey":"sk-x"}',
    });
    // Fastify reads text/plain as a string, which the settings schema refuses: a 400 is as safe
    // (and X-Auth-Token makes every cross-site call preflighted anyway).
    expect(r.status === 415 || r.status === 400, `answered ${r.status}`);
    const view = (await fx.widget(a, 'GET', '/providers')).json();
    expect(view.openaiApiKey.hint === 'sk-b…cdef', `the key changed (${view.openaiApiKey.hint})`);
    return `${r.status}, nothing saved`;
  });
  await run.probe('webhook-xml-body', async () => {
    const r = await post(a.chatgpt.handler, 'text/xml', '<lead id="5"/>');
    expect(r.status === 415, `answered ${r.status}`);
    return '415';
  });

  // Huge headers.
  await run.probe('huge-header', async () => {
    const r = await rawRequest(apiUrl, `GET /health HTTP/1.1\r\nX-Junk: ${'x'.repeat(20_000)}`);
    expect(r.status === 431, `answered ${r.status}`);
    return '431 for a 20 kB header';
  });
  await run.probe('huge-cookie', async () => {
    const r = await rawRequest(
      apiUrl,
      `GET /admin/api/session HTTP/1.1\r\nCookie: gptb_admin=${'y'.repeat(20_000)}`,
    );
    expect(r.status === 431, `answered ${r.status}`);
    return '431 for a 20 kB cookie';
  });

  // Path traversal under the admin panel's static files.
  const traversals = [
    '/admin/../package.json',
    '/admin/..%2f..%2f..%2fpackage.json',
    '/admin/%2e%2e/%2e%2e/%2e%2e/package.json',
    '/admin/assets/..%5c..%5c..%5c..%5cpackage.json',
    '/admin/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd',
    '/admin/....//....//....//package.json',
    '/admin/index.html%00.js',
    '/admin//etc/passwd',
  ];
  for (const target of traversals) {
    await run.probe(`path-traversal:${target}`, async () => {
      const r = await rawRequest(apiUrl, `GET ${target} HTTP/1.1`);
      const leaked = /"devDependencies"|root:x:0:0|"name":\s*"(@gpt-bridge|gpt-bridge)/.test(
        r.body,
      );
      expect(!leaked, `served a file outside the panel (${r.status})`);
      expect(r.status !== null && r.status >= 400 && r.status < 500, `answered ${r.status}`);
      return `${r.status}`;
    });
  }

  // HTTP method confusion.
  await run.probe('method:trace', async () => {
    const r = await rawRequest(apiUrl, 'TRACE /health HTTP/1.1\r\nX-Secret: echo-me');
    expect(r.status !== 200 && !r.body.includes('echo-me'), `answered ${r.status}, echoing`);
    return `${r.status}, nothing echoed`;
  });
  await run.probe('method:get-on-webhook', async () => {
    const r = await call(`${a.chatgpt.handler}?lead_id=5`);
    expect(r.status === 404, `answered ${r.status}`);
    return '404';
  });
  await run.probe('method:put-on-oauth-callback', async () => {
    const r = await call(`${apiUrl}/kommo/oauth/callback?code=aaaaaaaaaa&referer=${a.host}`, {
      method: 'PUT',
    });
    expect(r.status === 404, `answered ${r.status}`);
    return '404';
  });
  await run.probe('method:delete-on-widget-providers', async () => {
    const r = await call(`${apiUrl}/widget-api/providers`, {
      method: 'DELETE',
      headers: { 'x-auth-token': fx.widgetToken(a) },
    });
    expect(r.status === 404, `answered ${r.status}`);
    return '404';
  });
  await run.probe('method:head-on-admin-me', async () => {
    const r = await call(`${apiUrl}/admin/api/me`, { method: 'HEAD' });
    expect(r.status === 401 || r.status === 404, `answered ${r.status}`);
    return `${r.status}`;
  });
  await run.probe('method:override-header-no-csrf-bypass', async () => {
    const session = await fx.signIn(fx.users.admin);
    const r = await call(`${apiUrl}/admin/api/accounts/${a.installationId}/disable`, {
      method: 'GET',
      headers: {
        cookie: `gptb_admin=${session.token}`,
        'x-http-method-override': 'POST',
        'x-method-override': 'POST',
      },
    });
    const status = await fx.db(
      async (db) =>
        (await db.query(`SELECT status FROM installations WHERE id = $1`, [a.installationId]))
          .rows[0].status,
    );
    expect(r.status === 404 && status === 'active', `answered ${r.status}, A ${status}`);
    return 'GET + X-HTTP-Method-Override: POST → 404, A still active';
  });
}
