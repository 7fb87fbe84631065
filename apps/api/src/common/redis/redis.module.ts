import { Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

export const REDIS = Symbol('REDIS');

/** Closes the shared connection with the app. */
@Injectable()
class RedisCloser implements OnModuleDestroy {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  onModuleDestroy(): void {
    this.redis.disconnect();
  }
}

/** One shared ioredis connection for small keys (OAuth states, locks); Bull has its own. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const redis = new Redis(config.get('REDIS_URL'), { maxRetriesPerRequest: 3 });
        // Reported by /health; an unhandled 'error' event would crash the process.
        redis.on('error', () => undefined);
        return redis;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}

/** `{REDIS_PREFIX}:{name}`: every key of ours lives under the configured prefix. */
export function redisKey(config: AppConfig, ...parts: (string | number)[]): string {
  return [config.get('REDIS_PREFIX'), ...parts].join(':');
}
