import type Redis from 'ioredis';

/**
 * Registers a Lua script on `redis` (ioredis `defineCommand`: EVALSHA, reloaded after a Redis
 * restart) and returns it as a function bound to that connection, typed by the caller.
 */
export function defineScript<T>(redis: Redis, name: string, numberOfKeys: number, lua: string): T {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
  return command.bind(redis) as T;
}
