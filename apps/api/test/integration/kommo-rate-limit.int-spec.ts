import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppConfig } from '../../src/config/app-config';
import { KommoClientFactory } from '../../src/integrations/kommo/kommo-client';
import { KommoApiError } from '../../src/integrations/kommo/kommo-errors';
import { KommoRateLimiter } from '../../src/integrations/kommo/kommo-rate-limiter';
import { type KommoTokenSource } from '../../src/integrations/kommo/kommo-token-source';
import { SandboxProcess } from '../support/sandbox';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL, testEnv } from '../support/test-env';

const RATE = 6;
const config = new AppConfig(testEnv({ KOMMO_RATE_LIMIT_PER_SECOND: String(RATE) }));
// Two limiters = two Redis connections, as two API/worker processes would have.
let first: KommoRateLimiter;
let second: KommoRateLimiter;
let redis: Redis;

/** The most timestamps (ms) that fall into one window [t, t + windowMs) starting at any of them. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && (sorted[j] ?? Infinity) < (sorted[i] ?? 0) + windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

beforeAll(async () => {
  first = new KommoRateLimiter(config);
  second = new KommoRateLimiter(config);
  redis = new Redis(TEST_REDIS_URL);
  // The first send in a fresh Redis starts the limiter's epoch, whose first second is kept
  // empty (a lost state; kommo-rate-recovery.int-spec.ts): these tests measure steady pacing.
  await first.acquire(randomUUID());
  await new Promise((resolve) => setTimeout(resolve, 1_000));
});

afterAll(() => {
  first?.onModuleDestroy();
  second?.onModuleDestroy();
  redis?.disconnect();
});

describe('KommoRateLimiter', () => {
  it('reserves evenly spaced slots across processes: never more than 6 in a second', async () => {
    const id = randomUUID();
    const slots = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? first : second).reserve(id)),
    );
    const at = slots.map((s) => s.slotAtMs).sort((a, b) => a - b);
    expect(busiestWindow(at, 1_000)).toBe(RATE);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1_000 / RATE);
    expect(Math.max(...slots.map((s) => s.waitMs))).toBeGreaterThan(9_000);
    // The schedule lives under the configured prefix and expires soon after its last slot.
    const ttl = await redis.pttl(`${TEST_REDIS_PREFIX}:kommo-rate:${id}`);
    expect(ttl).toBeGreaterThan(9_000);
    expect(ttl).toBeLessThan(13_000);
  });

  it('lets 60 acquisitions from two processes through in about 60/6 s, 6 per second', async () => {
    const id = randomUUID();
    const started = Date.now();
    const granted = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        await (i % 2 ? first : second).acquire(id);
        return Date.now();
      }),
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(9_700); // 59 gaps of 1/6 s
    expect(elapsed).toBeLessThan(10_800);
    // Grants are 1/6 s apart by the schedule; timers add ±2 ms (measured), so a window shorter
    // by a 25 ms slack must hold ≤ 6, and a full second never more than Kommo's 7.
    expect(busiestWindow(granted, 1_000 - 25)).toBeLessThanOrEqual(RATE);
    expect(busiestWindow(granted, 1_000)).toBeLessThanOrEqual(RATE + 1); // Kommo's 7
  }, 20_000);

  it('pause() holds back every process, and a slot beyond maxWaitMs is refused without taking it', async () => {
    const id = randomUUID();
    await first.pause(id, 1_500);
    const started = Date.now();
    await second.acquire(id);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_450);

    await first.pause(id, 5_000);
    const refused: unknown = await second
      .acquire(id, { maxWaitMs: 1_000 })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KommoApiError);
    expect(refused).toMatchObject({ kind: 'rate_limit', retryable: true });
    expect((refused as KommoApiError).retryAfterMs).toBeGreaterThan(4_000);
    // Nothing was reserved: the next slot is still the end of the pause.
    const next = await first.reserve(id, { maxWaitMs: 10_000 });
    expect(next.waitMs).toBeGreaterThan(4_000);
    expect(next.waitMs).toBeLessThanOrEqual(5_000);
  });
});

describe('KommoRateLimiter holds', () => {
  it('a pause also holds back a request whose slot was reserved before it', async () => {
    const id = randomUUID();
    for (let i = 0; i < RATE; i++) await first.reserve(id); // the next slot is ~1 s away
    const started = Date.now();
    const waiting = second.acquire(id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.pause(id, 2_000);
    await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_150);
    expect(await first.refusedRecently(id)).toBe(true);
    expect(await first.refusedRecently(randomUUID())).toBe(false);
  });
});

describe('KommoClient under the limiter', () => {
  let sandbox: SandboxProcess;

  beforeAll(async () => {
    sandbox = await SandboxProcess.start();
  });

  afterAll(async () => {
    await sandbox?.stop();
  });

  it('sends 60 concurrent getAccount() from two processes without a single 429 or 403', async () => {
    const account = await sandbox.createAccount({ subdomain: 'busy' });
    const { access_token: token } = await sandbox.issueTokens(account.id);
    const tokens: KommoTokenSource = {
      accessToken: () => Promise.resolve(token),
      refreshAfterRejection: () => Promise.reject(new Error('no 401 expected')),
      relocate: () => Promise.resolve(null),
    };
    const clientConfig = new AppConfig(
      testEnv({ KOMMO_API_URL_TEMPLATE: sandbox.apiUrlTemplate, KOMMO_RATE_LIMIT_PER_SECOND: '6' }),
    );
    const factories = [
      new KommoClientFactory(clientConfig, first, tokens),
      new KommoClientFactory(clientConfig, second, tokens),
    ];
    const target = { installationId: randomUUID(), host: account.host, subdomain: 'busy' };
    try {
      const started = Date.now();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          factories[i % 2]!.forInstallation(target).getAccount(),
        ),
      );
      expect(Date.now() - started).toBeLessThan(11_000);
      expect(results.every((r) => r.id === account.id)).toBe(true);
      expect(await sandbox.counters()).toMatchObject({
        total: 60,
        status429: 0,
        status403: 0,
        blocked: 0,
      });
    } finally {
      for (const factory of factories) factory.onModuleDestroy();
    }

    // The sandbox does enforce Kommo's 7/s: the same calls without the limiter get 429s.
    const other = await sandbox.createAccount({ subdomain: 'burst' });
    const { access_token: otherToken } = await sandbox.issueTokens(other.id);
    const statuses = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const response = await fetch(`${sandbox.url}/a/burst/api/v4/account`, {
          headers: { authorization: `Bearer ${otherToken}` },
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(7);
    expect(statuses).toContain(429);
  }, 20_000);
});
