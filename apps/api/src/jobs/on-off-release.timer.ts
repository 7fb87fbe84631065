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
import { OnOffRelease } from '../domain/handoff/on-off-release';

// A paused classic lead answers again at most this long after its silence time ends.
const RELEASE_INTERVAL_MS = 30_000;

/** Empties the ON_OFF of classic leads whose pause is over, in one worker per interval. */
@Injectable()
export class OnOffReleaseTimer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly turn: IntervalTurn<number>;

  constructor(release: OnOffRelease, config: AppConfig, @Inject(REDIS) redis: Redis) {
    this.turn = new IntervalTurn({
      redis,
      key: redisKey(config, 'handoff', 'release-turn'),
      intervalMs: RELEASE_INTERVAL_MS,
      logger: new Logger(OnOffReleaseTimer.name),
      failure: 'ON_OFF release failed; will try again',
      run: () => release.releaseDue(),
    });
  }

  onApplicationBootstrap(): void {
    this.turn.start();
  }

  onApplicationShutdown(): void {
    this.turn.stop();
  }
}
