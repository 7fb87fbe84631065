import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Logger } from '@nestjs/common';
import type Redis from 'ioredis';

// The part of an interval a turn lasts: a run that stops at the end of its turn never overlaps
// the next one, and a worker whose timer fires late in the interval still finds the turn taken.
const TURN_SHARE = 0.8;

export type IntervalTurnOptions<T> = {
  redis: Redis;
  /** The Redis key of the turn (`redisKey(...)`); workers of one deployment share it. */
  key: string;
  intervalMs: number;
  logger: Logger;
  /** Logged, with the error, when taking the turn or the run fails; the next interval retries. */
  failure: string;
  /** The work of a turn; `endsAt` is when the turn expires (epoch ms). */
  run: (endsAt: number) => Promise<T>;
};

/**
 * Work that one worker among many does per interval (docs/architecture.md, "The sweeper"). Each
 * worker ticks every `intervalMs`, and once at start; a tick runs only for the worker that takes
 * the turn, a Redis key set with `SET NX PX` for 80 % of the interval. The key is never released,
 * it expires, so a second worker whose timer fires later in the same interval finds it taken; a
 * worker that finds it taken for longer than its own turn shortens it to that.
 * Redis down: no turn, no run. A tick that overlaps this process's previous one is skipped.
 */
export class IntervalTurn<T> {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  // Tells this process's turn from another's when someone reads the key.
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID()}`;

  constructor(private readonly options: IntervalTurnOptions<T>) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    // Right away too: a worker restarted often (deploys) would otherwise wait a full interval.
    void this.tick();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The run's result if this worker got the turn; null otherwise, or when the run failed. */
  async tick(): Promise<T | null> {
    if (this.running) return null;
    this.running = true;
    const { redis, key, intervalMs, logger, failure, run } = this.options;
    try {
      const turnMs = Math.floor(intervalMs * TURN_SHARE);
      // In one round trip: take the turn, or cut one taken with a longer interval (a deploy
      // that shortens it) down to ours, or this worker would wait the old interval out. After
      // our own SET the PEXPIRE … LT changes nothing.
      const replies = await redis
        .multi()
        .set(key, this.instance, 'PX', turnMs, 'NX')
        .pexpire(key, turnMs, 'LT')
        .exec();
      const [setError, taken] = replies?.[0] ?? [new Error('the turn was not answered'), null];
      if (setError) throw setError;
      if (taken !== 'OK') return null;
      return await run(Date.now() + turnMs);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, failure);
      return null;
    } finally {
      this.running = false;
    }
  }
}
