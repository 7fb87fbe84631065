import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { IntervalTurn } from '../common/redis/interval-turn';
import { REDIS, redisKey } from '../common/redis/redis.module';
import { AppConfig } from '../config/app-config';
import {
  type RetentionReport,
  RetentionService,
} from '../domain/requests/retention/retention.service';

/**
 * The worker's periodic retention pass, in one worker per RETENTION_INTERVAL_MS. A pass stops at
 * the end of its turn, so two never overlap.
 */
@Injectable()
export class RetentionTimer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionTimer.name);
  private readonly turn: IntervalTurn<RetentionReport>;

  constructor(
    private readonly retention: RetentionService,
    config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.turn = new IntervalTurn({
      redis,
      // The key of the releases before: old and new workers share turns during a rolling deploy.
      key: redisKey(config, 'retention', 'turn'),
      intervalMs: config.get('RETENTION_INTERVAL_MS'),
      logger: this.logger,
      failure: 'retention pass failed; next interval',
      run: (endsAt) => this.pass(endsAt),
    });
  }

  onApplicationBootstrap(): void {
    this.turn.start();
  }

  onApplicationShutdown(): void {
    this.turn.stop();
  }

  /** A pass if this worker gets the turn; null otherwise. Public for tests. */
  tick(): Promise<RetentionReport | null> {
    return this.turn.tick();
  }

  private async pass(endsAt: number): Promise<RetentionReport> {
    const started = Date.now();
    const report = await this.retention.run(endsAt);
    const touched = report.textsRemoved + report.conversationsForgotten + report.accountsPurged;
    if (touched > 0 || report.unfinished) {
      this.logger.log({ ...report, ms: Date.now() - started }, 'retention pass');
    }
    return report;
  }
}
