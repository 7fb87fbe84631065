import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';

const PING_TIMEOUT_MS = 1_000;

/**
 * Pings Redis on a connection of its own that fails at once while Redis is down (no offline
 * queue) and keeps reconnecting, so /health recovers without a restart.
 */
@Injectable()
export class RedisHealthIndicator implements OnModuleDestroy {
  private readonly client: Redis;

  constructor(
    config: AppConfig,
    private readonly indicators: HealthIndicatorService,
  ) {
    this.client = new Redis(config.get('REDIS_URL'), {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: PING_TIMEOUT_MS,
      retryStrategy: (times) => Math.min(times * 200, 2_000),
    });
    // Errors are reported through the check; an unhandled 'error' event would crash the process.
    this.client.on('error', () => undefined);
  }

  async check(key: string) {
    const indicator = this.indicators.check(key);
    // Without a live connection ioredis only says "Stream isn't writeable"; say what is true.
    if (this.client.status !== 'ready') {
      return indicator.down({ message: `not connected (${this.client.status})` });
    }
    try {
      await Promise.race([
        this.client.ping(),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
            PING_TIMEOUT_MS,
          ).unref(),
        ),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
  }
}
