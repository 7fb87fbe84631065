import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../integrations/ai-providers/provider-error';
import { RetriesExhausted, withRetries } from './retry-policy';

function clock() {
  let t = 0;
  const waits: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      waits.push(ms);
      t += ms;
      return Promise.resolve();
    },
    waits,
  };
}

const rate = (retryAfterMs?: number) =>
  new ProviderError({
    provider: 'OpenAI',
    errorClass: 'rate_limit',
    message: 'rate limited',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

describe('withRetries', () => {
  it('waits Retry-After between rate-limited attempts, then returns the answer', async () => {
    const c = clock();
    let calls = 0;
    const result = await withRetries(
      () => {
        calls += 1;
        if (calls <= 2) throw rate(1_000);
        return Promise.resolve('answer');
      },
      { budgetMs: 30_000, attemptTimeoutMs: 10_000, now: c.now, sleep: c.sleep },
    );
    expect(result).toEqual({ value: 'answer', attempts: 3 });
    expect(c.waits).toEqual([1_000, 1_000]);
  });

  it('does not retry billing, auth or not-found errors', async () => {
    for (const errorClass of ['billing', 'auth', 'not_found', 'bad_request', 'config'] as const) {
      const c = clock();
      let calls = 0;
      const error = await withRetries(
        () => {
          calls += 1;
          throw new ProviderError({ provider: 'OpenAI', errorClass, message: 'no' });
        },
        { budgetMs: 30_000, attemptTimeoutMs: 10_000, now: c.now, sleep: c.sleep },
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetriesExhausted);
      expect((error as RetriesExhausted).last.errorClass).toBe(errorClass);
      expect(calls).toBe(1);
    }
  });

  it('backs off exponentially with jitter and stops at the attempt limit', async () => {
    const c = clock();
    let calls = 0;
    const server = () => {
      calls += 1;
      throw new ProviderError({ provider: 'Dify', errorClass: 'server', message: '503' });
    };
    const error = await withRetries(server, {
      budgetMs: 60_000,
      attemptTimeoutMs: 10_000,
      maxAttempts: 4,
      now: c.now,
      sleep: c.sleep,
      random: () => 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect(calls).toBe(4);
    expect(c.waits).toEqual([500, 1_000, 2_000]);
  });

  it('gives up rather than wait past the budget', async () => {
    const c = clock();
    let calls = 0;
    const error = await withRetries(
      () => {
        calls += 1;
        throw rate(20_000);
      },
      { budgetMs: 15_000, attemptTimeoutMs: 10_000, now: c.now, sleep: c.sleep },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect(calls).toBe(1);
    expect(c.waits).toEqual([]);
  });

  it('gives each attempt at most what is left of the budget', async () => {
    const c = clock();
    const timeouts: number[] = [];
    await withRetries(
      (timeoutMs) => {
        timeouts.push(timeoutMs);
        if (timeouts.length === 1) throw rate(6_000);
        return Promise.resolve('ok');
      },
      { budgetMs: 10_000, attemptTimeoutMs: 8_000, now: c.now, sleep: c.sleep },
    );
    expect(timeouts).toEqual([8_000, 4_000]);
  });
});
