import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { IntervalTurn } from '../../src/common/redis/interval-turn';
import { TEST_REDIS_PREFIX, TEST_REDIS_URL } from '../support/test-env';

// One worker per interval takes the turn (real Redis); what a worker finds when the turn was taken
// with another interval, as during a deploy that changes it.
describe('IntervalTurn', () => {
  const redis = new Redis(TEST_REDIS_URL);
  afterAll(() => redis.quit());

  const turn = (key: string, intervalMs: number, runs: number[]) =>
    new IntervalTurn({
      redis,
      key,
      intervalMs,
      logger: new Logger('IntervalTurnTest'),
      failure: 'turn failed',
      run: () => Promise.resolve(runs.push(Date.now())),
    });

  it('gives one turn per interval among workers', async () => {
    const key = `${TEST_REDIS_PREFIX}:turn-test:${randomUUID()}`;
    const runs: number[] = [];
    const [a, b] = [turn(key, 1_000, runs), turn(key, 1_000, runs)];
    expect(await a.tick()).toBe(1);
    expect(await b.tick()).toBeNull();
    expect(await a.tick()).toBeNull();
    // The other worker's turn did not get longer by being asked for.
    expect(await redis.pttl(key)).toBeLessThanOrEqual(800);
    await new Promise((resolve) => setTimeout(resolve, 850));
    expect(await b.tick()).toBe(2);
  });

  it('cuts a turn taken with a longer interval down to its own', async () => {
    const key = `${TEST_REDIS_PREFIX}:turn-test:${randomUUID()}`;
    const runs: number[] = [];
    const hourly = turn(key, 3_600_000, runs);
    const everySecond = turn(key, 1_000, runs);
    expect(await hourly.tick()).toBe(1);
    expect(await redis.pttl(key)).toBeGreaterThan(2_000_000);
    expect(await everySecond.tick()).toBeNull();
    expect(await redis.pttl(key)).toBeLessThanOrEqual(800);
    await new Promise((resolve) => setTimeout(resolve, 850));
    expect(await everySecond.tick()).toBe(2);
  });
});
