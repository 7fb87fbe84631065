import Redis from 'ioredis';
import {
  describeNetworkError,
  isTransient,
  PreflightError,
  UnreachableError,
} from './preflight.errors';

const CONNECT_TIMEOUT_MS = 5_000;

/** Reads `maxmemory_policy` from `INFO memory` (works where CONFIG GET is disabled). */
export function parseMaxmemoryPolicy(info: string): string | undefined {
  const line = info.split(/\r?\n/).find((l) => l.startsWith('maxmemory_policy:'));
  return line?.slice('maxmemory_policy:'.length).trim();
}

/**
 * Makes sure Redis answers at REDIS_URL and will never evict keys: any eviction policy can drop
 * queued jobs, which would lose customers' messages silently.
 */
export async function ensureRedis(redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  const where = `${url.hostname}:${url.port || '6379'}`;
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const Failure = isTransient(error) ? UnreachableError : PreflightError;
    throw new Failure(
      `Redis is not reachable at ${where} (${describeNetworkError(error)}). Start it (local: redis-server --daemonize yes; ` +
        `Docker: docker compose -f docker/compose.yml up -d redis) or fix REDIS_URL.`,
    );
  }
  try {
    const policy = parseMaxmemoryPolicy(await client.info('memory'));
    if (policy !== 'noeviction') {
      throw new PreflightError(
        `Redis at ${where} has maxmemory-policy "${policy ?? 'unknown'}"; GPT Bridge needs "noeviction" because any ` +
          `eviction policy can drop queued jobs. Set it (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf).`,
      );
    }
  } finally {
    client.disconnect();
  }
}
