// What the probes attack and hold: three installed sandbox accounts (A in use, B with a rotated
// webhook URL, C uninstalled), admin panel users, token makers signed with the integration's
// secret, and every secret the run handles (the secrets probes look for them in logs and stores).
import { randomUUID } from 'node:crypto';
import { call, jsonBody, signJwt } from './probe-kit.mjs';
import { OPENAI_KEY, withDb } from './stack.mjs';

export async function createFixtures({ config, env, envB, sandbox, installed, users }) {
  const apiUrl = env.PUBLIC_URL;
  const secret = env.KOMMO_CLIENT_SECRET;
  const clientId = env.KOMMO_CLIENT_ID;
  // Kommo's `aud` is the origin of the redirect URI (docs/kommo-contract.md §3).
  const audience = new URL(apiUrl).origin;
  /** value → what it is; looked for in logs, the database and Redis at the end. */
  const secrets = new Map();
  const keep = (label, value) => {
    if (typeof value === 'string' && value.length >= 8) secrets.set(value, label);
  };
  keep('KOMMO_CLIENT_SECRET', secret);
  keep('ENCRYPTION_KEYS key', env.ENCRYPTION_KEYS.split(':')[1]);
  keep('OpenAI key', OPENAI_KEY);
  for (const user of Object.values(users)) keep(`password of ${user.email}`, user.password);

  const now = () => Math.floor(Date.now() / 1000);
  const widgetToken = (account, options = {}) => {
    const { isAdmin = true, alg = 'HS256', key = secret, claims = {}, header } = options;
    const token = signJwt(
      {
        iss: `https://${account.host}`,
        aud: audience,
        jti: randomUUID(),
        iat: now(),
        nbf: now(),
        exp: now() + 1800,
        account_id: account.id,
        user_id: account.userId,
        client_uuid: clientId,
        subdomain: account.subdomain,
        is_admin: isAdmin,
        ...claims,
      },
      key,
      { alg, header },
    );
    if (key === secret && Object.keys(claims).length === 0) keep('X-Auth-Token', token);
    return token;
  };
  const botToken = (account, options = {}) => {
    const { leadId = 77, alg = 'HS512', key = secret, claims = {} } = options;
    const token = signJwt(
      {
        client_uuid: clientId,
        subdomain: account.subdomain,
        account_id: account.id,
        entity_id: leadId,
        entity_type: 2,
        bot_type: 'salesbot',
        iss: `https://${account.host}`,
        jti: randomUUID(),
        iat: now(),
        exp: now() + 1800,
        ...claims,
      },
      key,
      { alg },
    );
    if (key === secret) keep('widget_request token', token);
    return token;
  };
  const continueUrl = (account) =>
    `${sandbox.url}/a/${account.subdomain}/api/v4/salesbot/1/continue/${randomUUID()}`;

  /** The widget API as the widget calls it (X-Auth-Token), by default as an administrator. */
  const widget = (account, method, route, body, options = {}) =>
    call(`${apiUrl}/widget-api${route}`, {
      method,
      ...(body === undefined ? {} : jsonBody(body)),
      headers: {
        'x-auth-token': options.token ?? widgetToken(account, options),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });

  const accounts = [];
  for (const entry of installed) {
    const account = await sandbox.call('GET', `/_sandbox/accounts/${entry.id}`);
    const installationId = await withDb(
      config,
      async (db) =>
        (await db.query(`SELECT id FROM installations WHERE kommo_account_id = $1`, [entry.id]))
          .rows[0].id,
    );
    const item = {
      id: account.id,
      host: account.host,
      subdomain: account.subdomain,
      userId: account.current_user_id,
      installationId,
    };
    const hooks = (await widget(item, 'GET', '/webhooks')).json().webhooks;
    for (const hook of hooks) {
      item[hook.kind] = { handler: hook.handlerUrl, widgetRequest: hook.widgetRequestUrl };
      keep(`webhook URL token (${hook.kind})`, new URL(hook.handlerUrl).pathname.split('/')[1]);
    }
    accounts.push(item);
  }
  const [a, b, c] = accounts;

  // A: an assistant key besides the OpenAI key, so both kinds of provider key are in play.
  const assistantKey = `app-probe-${randomUUID()}`;
  keep('Dify assistant key', assistantKey);
  const saved = await widget(a, 'PUT', '/providers', {
    assistant: { provider: 'dify', apiKey: assistantKey },
  });
  if (saved.status !== 200) throw new Error(`saving A's provider settings: ${saved.text}`);
  // B: its ChatGPT URL rotated, so the old one is a rotated token.
  const rotated = await widget(b, 'POST', '/webhooks/chatgpt/rotate');
  if (rotated.status !== 200) throw new Error(`rotating B's webhook: ${rotated.text}`);
  b.rotatedFrom = b.chatgpt;
  b.chatgpt = {
    handler: rotated.json().webhooks.find((w) => w.kind === 'chatgpt').handlerUrl,
  };
  keep('webhook URL token (rotated in)', new URL(b.chatgpt.handler).pathname.split('/')[1]);
  // C: uninstalled through Kommo's signed hook, so its URLs are an uninstalled account's.
  await sandbox.call('POST', `/_sandbox/accounts/${c.id}/uninstall`, {});
  const status = await withDb(
    config,
    async (db) =>
      (await db.query(`SELECT status FROM installations WHERE id = $1`, [c.installationId])).rows[0]
        .status,
  );
  if (status !== 'disabled') throw new Error(`account C not disabled after uninstall: ${status}`);

  let addressCounter = 0;
  /** A client address of its own per caller (sign-in limits are per address, via the proxy's header). */
  const nextAddress = () => {
    addressCounter += 1;
    return `198.18.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
  };

  /** Signs in through one API process; returns the cookie and CSRF token, or the refusal. */
  const signIn = async (user, { base = apiUrl, address = nextAddress(), password } = {}) => {
    const response = await call(`${base}/admin/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ email: user.email, password: password ?? user.password }),
    });
    const cookie = response.setCookies.find((c) => c.startsWith('gptb_admin='));
    const token = cookie ? decodeURIComponent(cookie.split(';')[0].split('=')[1]) : undefined;
    keep('admin session token', token);
    const csrf = response.status === 200 ? response.json().csrfToken : undefined;
    return { response, status: response.status, token, csrf, cookieAttributes: cookie };
  };
  const admin = (session, method, route, body, { csrf = session?.csrf, headers = {} } = {}) =>
    call(`${apiUrl}/admin/api${route}`, {
      method,
      headers: {
        ...(session?.token ? { cookie: `gptb_admin=${encodeURIComponent(session.token)}` } : {}),
        ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return {
    config,
    env,
    apiUrl,
    apiBUrl: envB.PUBLIC_URL,
    sandbox,
    secret,
    clientId,
    accounts: { a, b, c },
    assistantKey,
    users,
    secrets,
    keep,
    widgetToken,
    botToken,
    continueUrl,
    widget,
    signIn,
    admin,
    nextAddress,
    db: (fn) => withDb(config, fn),
  };
}
