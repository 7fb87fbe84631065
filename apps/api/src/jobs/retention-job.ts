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
import {
  type RetentionReport,
  RetentionService,
} from '../domain/requests/retention/retention.service';

// The part of an interval a turn lasts; a run stops at the end of its turn, so two never overlap.
const TURN_SHARE = 0.8;

/**
 * The worker's periodic retention pass. One worker runs it per RETENTION_INTERVAL_MS: the first
 * to take a Redis key (`SET NX PX`, left to expire), as the intake sweeper does
 * (docs/architecture.md, "The sweeper").
 */
@Injectable()
export class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionJob.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly turnKey: string;
  private readonly instance = `${hostname()}:${process.pid}:${randomUUID()}`;

  constructor(
    private readonly retention: RetentionService,
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.turnKey = redisKey(config, 'retention', 'turn');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.get('RETENTION_INTERVAL_MS'));
    this.timer.unref();
    // Right away too: a worker restarted often (deploys) would otherwise never reach a tick.
    void this.tick();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** A pass if this worker gets the turn; null otherwise. Public for tests. */
  async tick(): Promise<RetentionReport | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const turnMs = Math.floor(this.config.get('RETENTION_INTERVAL_MS') * TURN_SHARE);
      const taken = await this.redis.set(this.turnKey, this.instance, 'PX', turnMs, 'NX');
      if (taken !== 'OK') return null;
      const started = Date.now();
      const report = await this.retention.run(started + turnMs);
      const touched = report.textsRemoved + report.conversationsForgotten + report.accountsPurged;
      if (touched > 0 || report.unfinished) {
        this.logger.log({ ...report, ms: Date.now() - started }, 'retention pass');
      }
      return report;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'retention pass failed; next interval');
      return null;
    } finally {
      this.running = false;
    }
  }
}
