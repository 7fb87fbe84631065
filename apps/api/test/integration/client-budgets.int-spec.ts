import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient, createAdminUser } from '../support/admin-client';
import { type KommoStack, startKommoStack } from '../support/kommo-stack';
import { DisposableRedis, freePort } from '../support/redis-server';
import { type InstalledAccount, installAccount } from '../support/webhook-stack';

// Every route anyone can call has a budget per client address (docs/architecture.md,
// "Unauthenticated callers"). At CLIENT_BUDGET_SCALE 0.1 the budgets per minute are: oauth/start 3,
// /health 30, anonymous admin session 12, unknown webhook tokens 12, bad uninstall signatures 3,
// refused widget calls 6. Addresses are named through X-Forwarded-For from loopback (TRUST_PROXY's
// default), one per test, so the tests do not share a budget.
const SCALE = '0.1';
let nextAddress = 0;
const newAddress = () => `198.51.100.${(nextAddress += 1)}`;

type Answer = { status: number; retryAfter: string | null; body: unknown };

async function send(url: string, address: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, {
    redirect: 'manual',
    ...init,
    headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': address },
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** `count` calls in a row from `address`; their statuses. */
async function statuses(count: number, call: () => Promise<Answer>): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await call()).status);
  return seen;
}

function expectBudgetRefusal(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(60);
}

const webhookBody = {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"lead_id":5}',
};

describe('client budgets', () => {
  let stack: KommoStack;
  let shop: InstalledAccount;
  const unknownWebhook = (path: 'handler' | 'widget-request') =>
    `${stack.apiUrl}/${randomBytes(32).toString('base64url')}/${path}`;
  const uninstallUrl = (accountId: number, signature: string) =>
    `${stack.apiUrl}/kommo/uninstall?${new URLSearchParams({
      client_uuid: stack.env.KOMMO_CLIENT_ID!,
      account_id: String(accountId),
      signature,
    }).toString()}`;
  const kommoSignature = (accountId: number) =>
    createHmac('sha256', stack.env.KOMMO_CLIENT_SECRET!)
      .update(`${stack.env.KOMMO_CLIENT_ID}|${accountId}`)
      .digest('hex');

  beforeAll(async () => {
    stack = await startKommoStack({
      worker: true,
      vars: { CLIENT_BUDGET_SCALE: SCALE, REDIS_PREFIX: `test-budgets-${randomUUID()}` },
    });
    shop = await installAccount(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('GET /kommo/oauth/start: the 4th start from one address is 429, another address goes on', async () => {
    const address = newAddress();
    const start = () => send(`${stack.apiUrl}/kommo/oauth/start`, address);
    expect(await statuses(3, start)).toEqual([302, 302, 302]);
    const over = await start();
    expectBudgetRefusal(over);
    expect(over.body).toMatchObject({ statusCode: 429, error: 'TOO_MANY_REQUESTS' });
    expect((await send(`${stack.apiUrl}/kommo/oauth/start`, newAddress())).status).toBe(302);
  });

  it('GET /health: the 31st check from one address is 429, another address goes on', async () => {
    const address = newAddress();
    const check = () => send(`${stack.apiUrl}/health`, address);
    expect(new Set(await statuses(30, check))).toEqual(new Set([200]));
    expectBudgetRefusal(await check());
    expect((await send(`${stack.apiUrl}/health`, newAddress())).status).toBe(200);
  });

  it('GET /admin/api/session: anonymous calls are counted, a signed-in admin never is', async () => {
    const address = newAddress();
    const anonymous = () =>
      send(`${stack.apiUrl}/admin/api/session`, address, {
        headers: { cookie: `gptb_admin=${randomBytes(32).toString('base64url')}` },
      });
    expect(new Set(await statuses(12, anonymous))).toEqual(new Set([200]));
    expectBudgetRefusal(await anonymous());

    await createAdminUser(stack, 'budget@gptbridge.test', 'admin', 'a long budget password');
    const admin = await AdminClient.login(stack, 'budget@gptbridge.test', 'a long budget password');
    const mine = await send(`${stack.apiUrl}/admin/api/session`, address, {
      headers: { cookie: admin.cookie! },
    });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ user: { email: 'budget@gptbridge.test' } });
    expect((await send(`${stack.apiUrl}/admin/api/session`, newAddress())).body).toEqual({
      user: null,
    });
  });

  it('webhooks: unknown tokens are counted, a real webhook from the same address is still taken', async () => {
    const address = newAddress();
    const guesses = await statuses(12, () =>
      send(
        unknownWebhook(Math.random() < 0.5 ? 'handler' : 'widget-request'),
        address,
        webhookBody,
      ),
    );
    expect(new Set(guesses)).toEqual(new Set([404]));
    const over = await send(unknownWebhook('handler'), address, webhookBody);
    expectBudgetRefusal(over);
    expect(over.body).toMatchObject({ error: 'too_many_requests' });

    const real = await send(shop.chatgptUrl, address, webhookBody);
    expect(real.status).toBe(200);
    expect(real.body).toMatchObject({ ok: true });
    expect((await send(unknownWebhook('handler'), newAddress(), webhookBody)).status).toBe(404);
  });

  it('GET /kommo/uninstall: bad signatures are counted, a valid one is still handled', async () => {
    const address = newAddress();
    const forged = () =>
      send(uninstallUrl(shop.account.id, randomBytes(32).toString('hex')), address);
    expect(await statuses(3, forged)).toEqual([401, 401, 401]);
    expectBudgetRefusal(await forged());

    // Kommo's signature for an account we never installed: handled (nothing to disable), not 429.
    const valid = await send(uninstallUrl(987_654_321, kommoSignature(987_654_321)), address);
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({ ok: true });
    expect((await send(uninstallUrl(shop.account.id, 'ab'.repeat(32)), newAddress())).status).toBe(
      401,
    );
  });

  it('/widget-api: refused X-Auth-Tokens are counted, a valid token is still served', async () => {
    const address = newAddress();
    const garbage = () =>
      send(`${stack.apiUrl}/widget-api/session`, address, {
        headers: { 'x-auth-token': `a.b.${randomBytes(8).toString('hex')}` },
      });
    expect(await statuses(6, garbage)).toEqual([401, 401, 401, 401, 401, 401]);
    const over = await garbage();
    expectBudgetRefusal(over);
    expect(over.body).toMatchObject({ statusCode: 429 });

    const { token } = await stack.sandbox.widgetToken(shop.account.id);
    const valid = await send(`${stack.apiUrl}/widget-api/session`, address, {
      headers: { 'x-auth-token': token },
    });
    expect(valid.status).toBe(200);
    const other = await send(`${stack.apiUrl}/widget-api/session`, newAddress(), {
      headers: { 'x-auth-token': 'a.b.c' },
    });
    expect(other.status).toBe(401);
  });
});

describe('client budgets with Redis unreachable', () => {
  let stack: KommoStack;
  let redis: DisposableRedis;

  beforeAll(async () => {
    redis = new DisposableRedis(await freePort());
    await redis.start();
    stack = await startKommoStack({
      vars: { CLIENT_BUDGET_SCALE: SCALE, REDIS_URL: redis.url },
    });
    await redis.stop();
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('answers every route as without a budget, promptly, and /health says Redis is down', async () => {
    const address = newAddress();
    const timed = async (call: () => Promise<Answer>) => {
      const started = Date.now();
      const answer = await call();
      return { ...answer, ms: Date.now() - started };
    };
    const runs = async (count: number, call: () => Promise<Answer>) => {
      const answers = [];
      for (let i = 0; i < count; i++) answers.push(await timed(call));
      return answers;
    };
    const checks: [number, () => Promise<Answer>, number][] = [
      [5, () => send(`${stack.apiUrl}/kommo/oauth/start`, address), 302],
      [
        5,
        () =>
          send(
            `${stack.apiUrl}/kommo/uninstall?client_uuid=x&account_id=1&signature=${'ab'.repeat(32)}`,
            address,
          ),
        401,
      ],
      [
        15,
        () =>
          send(
            `${stack.apiUrl}/${randomBytes(32).toString('base64url')}/handler`,
            address,
            webhookBody,
          ),
        404,
      ],
      [
        8,
        () =>
          send(`${stack.apiUrl}/widget-api/session`, address, {
            headers: { 'x-auth-token': 'a.b.c' },
          }),
        401,
      ],
      [15, () => send(`${stack.apiUrl}/admin/api/session`, address), 200],
    ];
    for (const [count, call, status] of checks) {
      const answers = await runs(count, call);
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => status));
      expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1_000);
    }
    const health = await runs(35, () => send(`${stack.apiUrl}/health`, address));
    expect(new Set(health.map((a) => a.status))).toEqual(new Set([503]));
    expect(health[0]!.body).toMatchObject({ error: { redis: { status: 'down' } } });
    expect(Math.max(...health.map((a) => a.ms))).toBeLessThan(2_000);
  });
});

describe('client budgets with Redis slow', () => {
  let stack: KommoStack;
  let redis: DisposableRedis;

  beforeAll(async () => {
    redis = new DisposableRedis(await freePort(), ['--enable-debug-command', 'yes']);
    await redis.start();
    stack = await startKommoStack({ vars: { CLIENT_BUDGET_SCALE: SCALE, REDIS_URL: redis.url } });
  });

  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  it('answers as without the budget, within its bound, while Redis does not answer', async () => {
    const address = newAddress();
    const forged = () =>
      send(
        `${stack.apiUrl}/kommo/uninstall?client_uuid=x&account_id=1&signature=${'ab'.repeat(32)}`,
        address,
      );
    expect(await statuses(3, forged)).toEqual([401, 401, 401]);
    expectBudgetRefusal(await forged());

    // Redis busy for 2 s (as under a long command or a failover): the spent budget cannot be read.
    const sleeper = new Redis(redis.url);
    const asleep = sleeper.call('DEBUG', 'SLEEP', '2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const during = await forged();
    expect(during.status).toBe(401);
    expect(Date.now() - started).toBeLessThan(1_000);
    await asleep;
    sleeper.disconnect();
    expect((await forged()).status).toBe(429);
  });
});
