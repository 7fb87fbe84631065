import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bull';
import { type Queue } from 'bull';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueName } from '../../src/queues/job-catalogue';
import { type KommoStack, startKommoStack, waitFor } from '../support/kommo-stack';
import { type SandboxAccount } from '../support/sandbox';
import { TEST_REDIS_URL } from '../support/test-env';

const PER_ACCOUNT = 3;
const TOTAL = 8;
const WINDOW_SECONDS = 3;

/** Issue 19 §1 and §2: what anyone on the internet can make us do through the OAuth URLs. */
describe('OAuth URLs called by strangers', () => {
  let stack: KommoStack;
  let victim: SandboxAccount;
  let redis: Redis;

  const forgedCode = () => `def50200${randomBytes(48).toString('hex')}`;
  const callback = (params: Record<string, string>) =>
    fetch(`${stack.apiUrl}/kommo/oauth/callback?${new URLSearchParams(params).toString()}`);
  const row = async (accountId: number) =>
    (
      await stack.db.query<{ id: string; status: string; installed_at: Date }[]>(
        `SELECT id, status, installed_at FROM installations WHERE kommo_account_id = $1`,
        [accountId],
      )
    )[0];
  /** Until the worker has run (or dropped) every exchange the callbacks queued. */
  const installQueueIdle = () =>
    waitFor(
      async () => {
        const queue = stack.worker!.get<Queue>(getQueueToken(QueueName.Installation));
        const counts = await queue.getJobCounts();
        // Delayed jobs may be left by earlier files (or be the repeatable refresh): count only
        // code exchanges waiting for a retry.
        const retrying = (await queue.getDelayed()).filter((job) => job.name === 'exchange-code');
        return counts.active + counts.waiting + retrying.length;
      },
      (busy) => busy === 0,
      30_000,
    );
  const tokenCalls = () => stack.sandbox.requests({ path: '/oauth2/access_token' });
  /** `n` calls, `parallel` at a time, as a flood would send them. */
  const flood = async (n: number, parallel: number, call: (i: number) => Promise<Response>) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i += parallel) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(parallel, n - i) }, (_, j) => call(i + j)),
      );
      for (const response of batch) {
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    }
    return statuses;
  };
  const install = async (account: SandboxAccount) => {
    const before = (await row(account.id))?.installed_at.getTime() ?? 0;
    await stack.sandbox.install(account.id);
    return waitFor(
      () => row(account.id),
      (r) => r?.status === 'active' && r.installed_at.getTime() > before,
    );
  };
  /** Budget windows (fixed, aligned to the epoch) a flood touched: each may spend the budget once. */
  const windowsSpanned = (from: number, to: number) =>
    Math.floor(to / 1000 / WINDOW_SECONDS) - Math.floor(from / 1000 / WINDOW_SECONDS) + 1;
  const nextWindow = () => new Promise((r) => setTimeout(r, WINDOW_SECONDS * 1000 + 200));

  beforeAll(async () => {
    stack = await startKommoStack({
      worker: true,
      vars: {
        KOMMO_TOKEN_BUDGET_PER_ACCOUNT: String(PER_ACCOUNT),
        KOMMO_TOKEN_BUDGET_TOTAL: String(TOTAL),
        KOMMO_TOKEN_BUDGET_WINDOW_SECONDS: String(WINDOW_SECONDS),
      },
    });
    redis = new Redis(TEST_REDIS_URL);
    victim = await stack.sandbox.createAccount({ subdomain: 'victim' });
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  it(
    '200 forged install calls for a real account cost at most its budget; it keeps working',
    { timeout: 90_000 },
    async () => {
      const installed = await install(victim);
      await installQueueIdle();
      await nextWindow();
      await stack.sandbox.clearRequests();

      const repeated = forgedCode();
      const floodStart = Date.now();
      const statuses = await flood(200, 20, (i) =>
        callback({
          code: i % 4 === 0 ? repeated : forgedCode(),
          referer: 'victim.kommo.com',
          from_widget: '1',
        }),
      );
      // Admitted or repeated codes are accepted (200); the rest is refused before Kommo (429).
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(PER_ACCOUNT);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
      const windows = windowsSpanned(floodStart, Date.now());
      await installQueueIdle();

      const calls = await tokenCalls();
      expect(calls.length).toBeLessThanOrEqual(PER_ACCOUNT * windows);
      expect(calls.length).toBeGreaterThan(0);
      const counters = await stack.sandbox.counters();
      expect(counters.status429).toBe(0);
      expect(counters.blocked).toBe(0);

      // Each refused code cost one call, and asking again with it costs none, even in a new window.
      await nextWindow();
      await stack.sandbox.clearRequests();
      const again = await flood(20, 10, () =>
        callback({ code: repeated, referer: 'victim.kommo.com', from_widget: '1' }),
      );
      expect(again.every((s) => s === 200)).toBe(true);
      await installQueueIdle();
      expect(await tokenCalls()).toEqual([]);

      // The account still answers our calls, and a real reinstall goes through.
      expect((await row(victim.id))?.status).toBe('active');
      const reinstalled = await install(victim);
      expect(reinstalled!.id).toBe(installed!.id);
      const { token } = await stack.sandbox.widgetToken(victim.id);
      const check = await fetch(`${stack.apiUrl}/widget-api/fields/check`, {
        headers: { 'x-auth-token': token },
      });
      expect(check.status).toBe(200);
    },
  );

  it('forged calls spread over many referers stay within the total budget', async () => {
    await nextWindow();
    await stack.sandbox.clearRequests();
    const floodStart = Date.now();
    const statuses = await flood(200, 20, (i) =>
      callback({ code: forgedCode(), referer: `shop${i}.kommo.com`, from_widget: '1' }),
    );
    const allowed = TOTAL * windowsSpanned(floodStart, Date.now());
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(200 - allowed);
    await installQueueIdle();
    expect((await tokenCalls()).length).toBeLessThanOrEqual(allowed);
  });

  it('a made-up or tampered state never reaches Kommo', async () => {
    await nextWindow();
    await stack.sandbox.clearRequests();
    const start = await fetch(`${stack.apiUrl}/kommo/oauth/start`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const tampered = `${state.slice(0, -2)}${state.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of ['not-a-state-we-issued', tampered]) {
      const response = await callback({
        code: forgedCode(),
        state: bad,
        referer: 'victim.kommo.com',
      });
      expect(response.status).toBe(400);
    }
    expect(await tokenCalls()).toEqual([]);
  });

  it('2,000 calls of /kommo/oauth/start store nothing, and the consent flow still works', async () => {
    const keys = async () => (await redis.keys(`${stack.env.REDIS_PREFIX}:*`)).length;
    const oauthKeys = async () => (await redis.keys(`${stack.env.REDIS_PREFIX}:oauth*`)).length;
    const [before, oauthBefore] = [await keys(), await oauthKeys()];
    const statuses = await flood(2_000, 50, () =>
      fetch(`${stack.apiUrl}/kommo/oauth/start`, { redirect: 'manual' }),
    );
    // One address: what is left of its 30 starts a minute (the tests above started too), then 429
    // (client-budgets.int-spec.ts).
    expect(statuses.every((s) => s === 302 || s === 429)).toBe(true);
    expect(statuses.filter((s) => s === 302).length).toBeGreaterThanOrEqual(20);
    expect(await oauthKeys()).toBeLessThanOrEqual(oauthBefore);
    // Queues, the rate limiter and the address's budget counter keep a few keys; nothing per call.
    expect((await keys()) - before).toBeLessThan(20);

    await nextWindow();
    const other = await stack.sandbox.createAccount({ subdomain: 'browser2' });
    // Another browser: this address has spent its starts for the minute.
    const start = await fetch(`${stack.apiUrl}/kommo/oauth/start`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': '198.51.100.200' },
    });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const granted = await stack.sandbox.consent(other.id, state);
    const page = await fetch(granted.redirect);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('connected to browser2.kommo.com');
    expect((await row(other.id))?.status).toBe('active');
    // The state is single-use: a second code with it is refused without a call.
    await stack.sandbox.clearRequests();
    const replay = await stack.sandbox.consent(other.id, state);
    expect((await fetch(replay.redirect)).status).toBe(400);
    expect(await tokenCalls()).toEqual([]);
  });
});
