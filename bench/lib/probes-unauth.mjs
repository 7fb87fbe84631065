// Unauthenticated callers: the OAuth redirect URI and consent start, webhook token guessing, the
// uninstall hook and widget_request token replay (docs/architecture.md, "Unauthenticated callers").
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { call, expect, percentile, rawRequest } from './probe-kit.mjs';
import { apiRequire, deleteRedisKeys, kommoRequests, LOG_DIR } from './stack.mjs';
import { sleep } from './processes.mjs';

const newCode = () => randomBytes(30).toString('base64url');
const newToken = () => randomBytes(32).toString('base64url');

export async function redisKeyCount(fx, pattern) {
  const IORedis = apiRequire('ioredis');
  const redis = new (IORedis.default ?? IORedis)(fx.config.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

/** Code exchanges that reached the sandbox's token endpoint since `since` (sandbox clock). */
async function tokenCalls(fx, since) {
  const entries = await kommoRequests(fx.sandbox, { path: '*oauth2/access_token', since });
  return entries.filter((e) => e.method === 'POST').length;
}

async function installationStatus(fx, id) {
  return fx.db(
    async (db) =>
      (await db.query(`SELECT status FROM installations WHERE id = $1`, [id])).rows[0]?.status,
  );
}

export async function unauthProbes(run, fx) {
  const { apiUrl, accounts } = fx;
  const { a, b, c } = accounts;
  const callback = (query) => call(`${apiUrl}/kommo/oauth/callback?${new URLSearchParams(query)}`);
  const clock = async () => (await fx.sandbox.call('GET', '/_sandbox/clock')).now;
  run.group('unauthenticated');

  await run.probe('oauth-start-flood-stores-nothing', async () => {
    const before = await redisKeyCount(fx, `${fx.config.redisPrefix}:oauth*`);
    const states = new Set();
    // One browser per start: an address has a budget of 30 starts a minute (rate-budgets).
    for (let i = 0; i < 200; i += 1) {
      const r = await call(`${apiUrl}/kommo/oauth/start`, {
        headers: { 'x-forwarded-for': fx.nextAddress() },
      });
      expect(r.status === 302, `start answered ${r.status}`);
      states.add(new URL(r.headers.get('location')).searchParams.get('state'));
    }
    const after = await redisKeyCount(fx, `${fx.config.redisPrefix}:oauth*`);
    expect(after === before, `${after - before} OAuth keys added by 200 starts`);
    return `200 starts (200 addresses), 200 distinct signed states, 0 OAuth keys added`;
  });

  await run.probe('oauth-state-tampered', async () => {
    const r0 = await call(`${apiUrl}/kommo/oauth/start`);
    const state = new URL(r0.headers.get('location')).searchParams.get('state');
    const parts = state.split('.');
    parts[2] = `${parts[2].slice(0, -2)}AA`;
    const since = await clock();
    const r = await callback({ code: newCode(), state: parts.join('.'), referer: a.host });
    await sleep(300);
    expect(r.status === 400, `answered ${r.status}`);
    expect((await tokenCalls(fx, since)) === 0, 'a token-endpoint call was made');
    return '400 "link expired", no token call';
  });

  await run.probe('oauth-callback-repeated-code', async () => {
    const since = await clock();
    const code = newCode();
    const statuses = [];
    for (let i = 0; i < 10; i += 1) {
      statuses.push((await callback({ code, referer: 'probe-repeat.kommo.com' })).status);
    }
    await sleep(1_500);
    const calls = await tokenCalls(fx, since);
    expect(calls <= 1, `${calls} token calls for one code sent 10 times`);
    return `10 sends of one code → ${calls} token call (answers ${[...new Set(statuses)]})`;
  });

  await run.probe('oauth-callback-malformed-code', async () => {
    const since = await clock();
    const r = await callback({ code: '<script>alert(1)</script>', referer: a.host });
    expect(r.status === 400, `answered ${r.status}`);
    expect(!r.text.includes('<script>alert'), 'the code is reflected into the page');
    expect((await tokenCalls(fx, since)) === 0, 'a token call was made');
    return '400, not reflected, no token call';
  });

  await run.probe('oauth-callback-referer-not-kommo', async () => {
    const since = await clock();
    for (const referer of ['127.0.0.1:6379', 'evil.example', 'a.kommo.com.evil.example']) {
      const r = await callback({ code: newCode(), referer });
      expect(r.status === 400, `referer ${referer} answered ${r.status}`);
    }
    await sleep(300);
    expect((await tokenCalls(fx, since)) === 0, 'a token call was made');
    return '3 foreign referers → 400, no call (no SSRF through referer)';
  });

  await run.probe('oauth-callback-foreign-client-id', async () => {
    const r = await callback({ code: newCode(), referer: a.host, client_id: 'someone-else' });
    expect(r.status === 400, `answered ${r.status}`);
    return '400';
  });

  await run.probe('oauth-callback-forged-flood-one-account', async () => {
    const since = await clock();
    const statuses = {};
    let withRetryAfter = 0;
    for (let i = 0; i < 40; i += 1) {
      const r = await callback({ code: newCode(), referer: a.host, from_widget: '1' });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status === 429 && r.headers.get('retry-after')) withRetryAfter += 1;
    }
    await sleep(3_000);
    const calls = await tokenCalls(fx, since);
    expect(calls <= 5, `${calls} forged codes reached the token endpoint (budget 5)`);
    expect(withRetryAfter >= 35, `only ${withRetryAfter} of 40 got 429 with Retry-After`);
    expect((await installationStatus(fx, a.installationId)) === 'active', 'A is no longer active');
    return `40 forged → ${calls} token calls, ${withRetryAfter} × 429; A still active`;
  });

  await run.probe('oauth-callback-forged-flood-many-accounts', async () => {
    const since = await clock();
    let admitted = 0;
    let refused = 0;
    for (let i = 0; i < 40; i += 1) {
      const r = await callback({ code: newCode(), referer: `probe-forged-${i}.kommo.com` });
      if (r.status === 200) admitted += 1;
      if (r.status === 429) refused += 1;
    }
    await sleep(2_000);
    expect(admitted <= 30, `${admitted} callbacks admitted (total budget 30 per window)`);
    expect(refused >= 10, `only ${refused} got 429`);
    return `40 referers → ${admitted} admitted, ${refused} × 429 (token calls so far ${await tokenCalls(fx, since)}, paced 3/s)`;
  });

  // Webhook tokens: unknown, rotated, uninstalled and malformed all look the same.
  const hook = (url) =>
    call(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"lead_id":5}',
    });
  const unknownUrl = () => `${apiUrl}/${newToken()}/handler`;
  const reference = await hook(unknownUrl());
  const same = (r, what) => {
    expect(r.status === 404, `${what}: ${r.status}`);
    expect(r.text === reference.text, `${what}: body differs (${r.text.slice(0, 80)})`);
  };
  await run.probe('webhook-unknown-token', async () => {
    same(await hook(unknownUrl()), 'unknown');
    same(await hook(`${apiUrl}/${newToken()}/widget-request`), 'unknown widget-request');
    return `404 ${reference.text}`;
  });
  await run.probe('webhook-rotated-token', async () => {
    same(await hook(b.rotatedFrom.handler), 'rotated');
    return '404, same body as unknown';
  });
  await run.probe('webhook-uninstalled-account-token', async () => {
    same(await hook(c.chatgpt.handler), 'uninstalled');
    same(await hook(c.assistant.widgetRequest), 'uninstalled widget-request');
    return '404, same body as unknown';
  });
  await run.probe('webhook-malformed-token', async () => {
    for (const token of ['x', 'a'.repeat(42), 'a'.repeat(44), '..%2f..%2fetc']) {
      same(await hook(`${apiUrl}/${token}/handler`), `token "${token.slice(0, 12)}"`);
    }
    // Past Fastify's parameter limit (100 characters) the router answers 414 for any route.
    const long = await hook(`${apiUrl}/${'a'.repeat(500)}/handler`);
    expect(long.status === 414 || long.status === 404, `500 characters: ${long.status}`);
    return `4 shapes → 404, same body; 500 characters → ${long.status}`;
  });
  await run.probe('webhook-token-timing-class', async () => {
    const kinds = {
      unknown: unknownUrl,
      rotated: () => b.rotatedFrom.handler,
      uninstalled: () => c.chatgpt.handler,
    };
    const times = { unknown: [], rotated: [], uninstalled: [] };
    // Interleaved, in a new order each round, so a neighbour's burst lands on all kinds alike.
    for (let i = 0; i < 30; i += 1) {
      const order = Object.entries(kinds).sort(() => Math.random() - 0.5);
      for (const [kind, url] of order) times[kind].push((await hook(url())).ms);
    }
    const medians = Object.fromEntries(
      Object.entries(times).map(([k, v]) => [k, percentile(v, 50)]),
    );
    const low = Math.min(...Object.values(medians));
    const high = Math.max(...Object.values(medians));
    const text = Object.entries(medians)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ');
    expect(high - low <= Math.max(3, low * 0.5), `medians differ: ${text} ms`);
    return `medians ${text} ms (one class)`;
  });

  await run.probe('webhook-url-variants-not-logged', async () => {
    // A real token in a URL that is not quite the webhook's (a copy-paste slip, a proxy's
    // rewrite): not taken, and the request line that is logged must not carry the token.
    const token = new URL(a.chatgpt.handler).pathname.split('/')[1];
    const variants = [
      `//${token}/handler`,
      `/${token}/Handler`,
      `/${token}/handler.php`,
      `/${token}`,
      `/${token}/`,
      `/x/${token}/handler`,
    ];
    for (const variant of variants) {
      const r = await rawRequest(
        apiUrl,
        `POST ${variant} HTTP/1.1\r\nContent-Type: application/json`,
        '{"lead_id":5}',
      );
      expect(r.status === 404, `${variant.replace(token, '<token>')} answered ${r.status}`);
    }
    await sleep(500);
    const logged = readFileSync(path.join(LOG_DIR, 'api-probes-a.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes(token));
    expect(
      logged.length === 0,
      `${logged.length} log lines carry the token, e.g. ${logged[0]?.replace(token, '<token>').slice(0, 160)}`,
    );
    return `${variants.length} variants → 404, token in no log line`;
  });

  // The uninstall hook: only Kommo's signature disables an account.
  const uninstall = (query) => call(`${apiUrl}/kommo/uninstall?${new URLSearchParams(query)}`);
  const signature = (accountId) =>
    createHmac('sha256', fx.secret).update(`${fx.clientId}|${accountId}`).digest('hex');
  const stillActive = async () =>
    expect((await installationStatus(fx, a.installationId)) === 'active', 'A was disabled');
  await run.probe('uninstall-forged-signature', async () => {
    const r = await uninstall({
      client_uuid: fx.clientId,
      account_id: a.id,
      signature: randomBytes(32).toString('hex'),
    });
    expect(r.status === 401, `answered ${r.status}`);
    await stillActive();
    return '401, A still active';
  });
  await run.probe('uninstall-missing-signature', async () => {
    const r = await uninstall({ client_uuid: fx.clientId, account_id: a.id });
    expect(r.status === 401, `answered ${r.status}`);
    await stillActive();
    return '401, A still active';
  });
  await run.probe('uninstall-other-accounts-signature', async () => {
    const r = await uninstall({
      client_uuid: fx.clientId,
      account_id: a.id,
      signature: signature(b.id),
    });
    expect(r.status === 401, `answered ${r.status}`);
    await stillActive();
    return "B's valid signature with A's id → 401, A still active";
  });

  // widget_request tokens: one token, one salesbot wait.
  await run.probe('widget-request-token-replay', async () => {
    const token = fx.botToken(a);
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      const r = await call(a.chatgpt.widgetRequest, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          return_url: fx.continueUrl(a),
          data: { next_step: 1, prompt: 'hi' },
        }),
      });
      statuses.push(r.status);
    }
    expect(statuses[0] === 200, `first use answered ${statuses[0]}`);
    expect(
      statuses.slice(1).every((s) => s === 409),
      `replays answered ${statuses.slice(1)}`,
    );
    return `4 uses of one jti → ${statuses.join(', ')}`;
  });
  await run.probe('widget-request-token-resend-same-wait', async () => {
    const token = fx.botToken(a);
    const body = JSON.stringify({
      token,
      return_url: fx.continueUrl(a),
      data: { next_step: 1, prompt: 'hi' },
    });
    const send = () =>
      call(a.chatgpt.widgetRequest, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const first = await send();
    const second = await send();
    expect(first.status === 200 && second.status === 200, `${first.status}, ${second.status}`);
    expect(second.json().duplicate === true, 'the resend was not marked a duplicate');
    return 'a resend for the same wait is a duplicate (200), not a second request';
  });

  // The rate-budget group floods the callback again from a fresh window.
  await deleteRedisKeys(fx.config, `${fx.config.redisPrefix}:oauth-budget:*`);
}
