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
import { IntakeSweeper } from '../domain/requests/intake-sweeper';

/** Runs the intake sweeper every INTAKE_SWEEP_INTERVAL_MS, in one worker per interval. */
@Injectable()
export class IntakeSweepTimer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly turn: IntervalTurn<number>;

  constructor(sweeper: IntakeSweeper, config: AppConfig, @Inject(REDIS) redis: Redis) {
    this.turn = new IntervalTurn({
      redis,
      // The key of the releases before: old and new workers share turns during a rolling deploy.
      key: redisKey(config, 'ai', 'sweep-lock'),
      intervalMs: config.get('INTAKE_SWEEP_INTERVAL_MS'),
      logger: new Logger(IntakeSweepTimer.name),
      failure: 'sweep failed; will try again',
      run: () => sweeper.sweep(),
    });
  }

  onApplicationBootstrap(): void {
    this.turn.start();
  }

  onApplicationShutdown(): void {
    this.turn.stop();
  }

  /** The number of jobs a sweep added; 0 without the turn. Public for tests. */
  async sweep(): Promise<number> {
    return (await this.turn.tick()) ?? 0;
  }
}
