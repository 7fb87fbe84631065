// Tokens: Kommo's X-Auth-Token (widget API), the widget_request JWT (webhook), the admin session
// cookie with its CSRF token, and the admin panel's roles.
import { call, expect } from './probe-kit.mjs';

export async function tokenProbes(run, fx) {
  const { apiUrl, accounts } = fx;
  const { a, b, c } = accounts;
  const now = Math.floor(Date.now() / 1000);
  const session = (token) =>
    call(`${apiUrl}/widget-api/session`, {
      headers: token === undefined ? {} : { 'x-auth-token': token },
    });
  run.group('tokens');

  const refused = {
    'x-auth-token:alg-none': () => fx.widgetToken(a, { alg: 'none', key: '' }),
    'x-auth-token:hs512-instead-of-hs256': () => fx.widgetToken(a, { alg: 'HS512' }),
    'x-auth-token:wrong-secret': () => fx.widgetToken(a, { key: 'not-the-client-secret' }),
    'x-auth-token:expired': () =>
      fx.widgetToken(a, { claims: { iat: now - 3_600, nbf: now - 3_600, exp: now - 1_800 } }),
    'x-auth-token:not-yet-valid': () => fx.widgetToken(a, { claims: { nbf: now + 600 } }),
    'x-auth-token:wrong-aud': () => fx.widgetToken(a, { claims: { aud: 'https://evil.example' } }),
    'x-auth-token:wrong-iss': () =>
      fx.widgetToken(a, { claims: { iss: 'https://evil.kommo.com' } }),
    'x-auth-token:wrong-client': () =>
      fx.widgetToken(a, { claims: { client_uuid: '00000000-0000-4000-8000-000000000000' } }),
    'x-auth-token:crit-header': () => fx.widgetToken(a, { header: { crit: ['exp'] } }),
    'x-auth-token:garbage': () => 'abc.def.ghi',
    'x-auth-token:missing': () => undefined,
    'x-auth-token:non-canonical-signature': () => `${fx.widgetToken(a)}=`,
    // Signed by Kommo for account B, with A's id put in: iss and subdomain give it away.
    'x-auth-token:other-accounts-claims': () =>
      fx.widgetToken(a, { claims: { iss: `https://${b.host}`, subdomain: b.subdomain } }),
  };
  for (const [name, make] of Object.entries(refused)) {
    await run.probe(name, async () => {
      const r = await session(make());
      expect(r.status === 401, `answered ${r.status}`);
      expect(r.json().message === 'invalid X-Auth-Token', 'the refusal says which check failed');
      return '401, the one generic message';
    });
  }
  await run.probe('x-auth-token:uninstalled-account', async () => {
    const r = await session(fx.widgetToken(c));
    expect(r.status === 403, `answered ${r.status}`);
    return '403 (disabled)';
  });
  await run.probe('x-auth-token:other-account-sees-only-its-own', async () => {
    const r = await fx.widget(b, 'GET', '/webhooks');
    const aTokens = [a.chatgpt.handler, a.assistant.handler].map(
      (u) => new URL(u).pathname.split('/')[1],
    );
    expect(r.status === 200, `answered ${r.status}`);
    expect(!aTokens.some((t) => r.text.includes(t)), "B's token reads A's webhook URLs");
    fx.keep('OpenAI key (B)', 'sk-probe-b-only-0000000000');
    const put = await fx.widget(b, 'PUT', '/providers', {
      openaiApiKey: 'sk-probe-b-only-0000000000',
    });
    const aView = (await fx.widget(a, 'GET', '/providers')).json();
    expect(put.status === 200 && aView.openaiApiKey.hint !== 'sk-p…0000', "B's save changed A");
    return "B's token reads and writes B only";
  });

  // Widget API rights: administrators only.
  const adminOnly = [
    ['GET', '/providers'],
    ['PUT', '/providers', { openaiApiKey: 'sk-probe-nonadmin-000000000' }],
    ['GET', '/webhooks'],
    ['POST', '/webhooks/chatgpt/rotate'],
    ['POST', '/test-console', { kind: 'chatgpt', prompt: 'hi' }],
    ['GET', '/templates/classic'],
    ['POST', '/fields/provision'],
  ];
  for (const [method, route, body] of adminOnly) {
    await run.probe(`widget-non-admin:${method} ${route}`, async () => {
      const r = await fx.widget(a, method, route, body, { isAdmin: false });
      expect(r.status === 403, `answered ${r.status}`);
      return '403';
    });
  }

  // widget_request JWTs.
  const widgetRequest = (token) =>
    call(a.chatgpt.widgetRequest, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token,
        return_url: fx.continueUrl(a),
        data: { next_step: 1, prompt: 'hi' },
      }),
    });
  const badBotTokens = {
    'widget-request-jwt:forged': () => fx.botToken(a, { key: 'guessed-secret' }),
    'widget-request-jwt:alg-none': () => fx.botToken(a, { alg: 'none', key: '' }),
    'widget-request-jwt:expired': () =>
      fx.botToken(a, { claims: { iat: now - 3_600, exp: now - 1_800 } }),
    'widget-request-jwt:other-account': () => fx.botToken(b),
  };
  for (const [name, make] of Object.entries(badBotTokens)) {
    await run.probe(name, async () => {
      const r = await widgetRequest(make());
      expect(r.status === 401, `answered ${r.status}`);
      return '401';
    });
  }
  await run.probe('widget-request-jwt:missing', async () => {
    const r = await widgetRequest(undefined);
    expect(r.status === 400, `answered ${r.status}`);
    return '400 no_token';
  });

  // Admin session cookie and CSRF.
  const adminSession = await fx.signIn(fx.users.admin);
  if (adminSession.status !== 200) throw new Error(`admin sign-in: ${adminSession.response.text}`);
  const accountsList = (s, options) => fx.admin(s, 'GET', '/accounts', undefined, options);
  await run.probe('admin-cookie:absent', async () => {
    const r = await accountsList(undefined);
    expect(r.status === 401, `answered ${r.status}`);
    return '401';
  });
  await run.probe('admin-cookie:tampered', async () => {
    const t = adminSession.token;
    const flipped = `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`;
    const r = await accountsList({ token: flipped });
    expect(r.status === 401, `answered ${r.status}`);
    return '401';
  });
  await run.probe('admin-cookie:expired', async () => {
    const s = await fx.signIn(fx.users.admin);
    await fx.db((db) =>
      db.query(
        `UPDATE admin_sessions SET expires_at = now() - interval '1 minute'
          WHERE id = encode(sha256(convert_to($1, 'UTF8')), 'hex')`,
        [s.token],
      ),
    );
    const r = await accountsList(s);
    expect(r.status === 401, `answered ${r.status}`);
    return '401 after the session expired';
  });
  await run.probe('admin-cookie:signed-out', async () => {
    const s = await fx.signIn(fx.users.admin);
    const out = await fx.admin(s, 'POST', '/logout');
    const r = await accountsList(s);
    expect(out.status === 200 && r.status === 401, `logout ${out.status}, then ${r.status}`);
    return '401 after sign-out';
  });
  const reprovision = (csrf) =>
    fx.admin(adminSession, 'POST', `/accounts/${a.installationId}/reprovision`, undefined, {
      csrf,
    });
  await run.probe('admin-csrf:missing', async () => {
    const r = await reprovision(null);
    expect(r.status === 403, `answered ${r.status}`);
    return '403';
  });
  await run.probe('admin-csrf:wrong', async () => {
    const r = await reprovision('x'.repeat(43));
    expect(r.status === 403, `answered ${r.status}`);
    return '403';
  });
  await run.probe('admin-csrf:other-sessions', async () => {
    const other = await fx.signIn(fx.users.support);
    const r = await reprovision(other.csrf);
    expect(r.status === 403, `answered ${r.status}`);
    return '403';
  });

  // The support role against admin-only actions: refused, and nothing changed.
  const support = await fx.signIn(fx.users.support);
  const auditCount = () =>
    fx.db(async (db) => (await db.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n);
  const auditBefore = await auditCount();
  const plans = (await fx.admin(support, 'GET', '/plans')).json().plans;
  const supportUser = (await fx.admin(support, 'GET', '/me')).json().user;
  const adminOnlyActions = [
    ['PUT', `/plans/${plans[0].id}`, { monthlyRequests: 999_999 }],
    ['POST', `/accounts/${a.installationId}/disable`],
    ['POST', `/accounts/${a.installationId}/refresh-token`],
    ['PUT', `/accounts/${a.installationId}/plan`, { planId: plans.at(-1).id }],
    ['GET', '/users'],
    [
      'POST',
      '/users',
      { email: 'mallory@probes.example', password: 'mallory-pw-123456', role: 'admin' },
    ],
    ['PUT', `/users/${supportUser.id}/role`, { role: 'admin' }],
  ];
  for (const [method, route, body] of adminOnlyActions) {
    await run.probe(
      `support-role:${method} ${route.replace(/[0-9a-f-]{36}/g, ':id')}`,
      async () => {
        const r = await fx.admin(support, method, route, body);
        expect(r.status === 403, `answered ${r.status}`);
        return '403';
      },
    );
  }
  await run.probe('support-role:nothing-changed', async () => {
    const after = await auditCount();
    const state = await fx.db(
      async (db) =>
        (
          await db.query(
            `SELECT (SELECT status FROM installations WHERE id = $1) AS status,
                    (SELECT role FROM admin_users WHERE id = $2) AS role,
                    (SELECT count(*)::int FROM admin_users WHERE email = 'mallory@probes.example') AS mallory`,
            [a.installationId, supportUser.id],
          )
        ).rows[0],
    );
    expect(after === auditBefore, `${after - auditBefore} audit entries written`);
    expect(
      state.status === 'active' && state.role === 'support' && state.mallory === 0,
      JSON.stringify(state),
    );
    return 'no audit entry, A active, role still support, no user created';
  });
}
