import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, redisKey } from '../common/redis/redis.module';
import { AppConfig } from '../config/app-config';
import { AiJob, AiJobs, type DrainData } from '../domain/requests/ai-jobs';
import { AiPipeline } from '../domain/requests/ai-pipeline.service';
import { RequestsRepository } from '../domain/requests/requests.repository';
import { LeadDrain } from '../domain/requests/lead-drain';

// Leads asked about in Redis at once by a sweep, and the part of an interval the sweep lock lasts.
const SWEEP_CHUNK = 50;
const SWEEP_LOCK_SHARE = 0.8;

/**
 * The worker side of the `ai` queue: each job drains one lead's pending requests. A sweeper
 * re-enqueues requests whose job was lost (Redis restarted without persistence) or whose worker
 * died, so an acknowledged request is always answered.
 */
@Injectable()
export class AiWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AiWorker.name);
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping = false;
  private readonly lockKey: string;
  // Tells this process's lock from another's when someone reads the key.
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID()}`;

  constructor(
    private readonly jobs: AiJobs,
    private readonly drain: LeadDrain,
    private readonly pipeline: AiPipeline,
    private readonly store: RequestsRepository,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.lockKey = redisKey(config, 'ai', 'sweep-lock');
  }

  onApplicationBootstrap(): void {
    const concurrency = this.config.get('AI_WORKER_CONCURRENCY');
    void this.jobs.raw.process(AiJob.Drain, concurrency, (job) => this.run(job.data));
    const interval = this.config.get('INTAKE_SWEEP_INTERVAL_MS');
    this.sweeper = setInterval(() => void this.sweep(), interval);
    this.sweeper.unref();
    // Right away too: requests left by a previous run need not wait a full interval.
    void this.sweep();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  async run(data: DrainData): Promise<void> {
    await this.drain.drain(data.installationId, data.leadId, (row) => this.pipeline.handle(row));
  }

  /**
   * Enqueues the leads whose requests wait too long, at most one job per lead (docs/architecture.md,
   * "The sweeper"). One worker sweeps per interval: the first to take the Redis lock, which lasts
   * most of an interval. Returns the number of jobs added. Public for tests; a sweep that
   * overlaps this process's previous one is skipped.
   */
  async sweep(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      if (!(await this.takeSweepTurn())) return 0;
      const stale = await this.store.stalePending(this.config.get('INTAKE_STALE_AFTER_MS'), 500);
      let added = 0;
      for (let i = 0; i < stale.length; i += SWEEP_CHUNK) {
        const results = await Promise.all(
          stale.slice(i, i + SWEEP_CHUNK).map((entry) =>
            this.jobs.ensureLead({
              installationId: entry.installationId,
              leadId: entry.leadId,
              requestId: entry.id,
            }),
          ),
        );
        added += results.filter((result) => result === 'added').length;
      }
      if (added > 0) this.logger.log({ leads: stale.length, added }, 're-enqueued stale requests');
      return added;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'sweep failed; will try again');
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  // SET NX PX: the lock is never released, it expires, so that a second worker whose timer fires
  // later in the same interval finds it taken. Redis down: no sweep (nothing could be enqueued).
  private async takeSweepTurn(): Promise<boolean> {
    const ttl = Math.floor(this.config.get('INTAKE_SWEEP_INTERVAL_MS') * SWEEP_LOCK_SHARE);
    const taken = await this.redis.set(this.lockKey, this.instance, 'PX', ttl, 'NX');
    return taken === 'OK';
  }
}
