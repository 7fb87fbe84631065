import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../../config/app-config';
import { REDIS, redisKey } from '../../../common/redis/redis.module';
import { CLOCK_SKEW_SEC } from '../../../integrations/kommo/verify-widget-token';
import { defineScript } from '../../../common/redis/redis-script';

/** Longer than a healthy Redis round trip by far; beyond it the ack does not wait (fail open). */
const CLAIM_TIMEOUT_MS = 250;

/**
 * SET NX, or, when the key holds another continue path, report it. KEYS[1]: the token's key.
 * ARGV: continue path, TTL s. Returns 1 when this path may use the token, 0 when another has.
 */
const CLAIM_SCRIPT = `
local set = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
if set then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then return 1 end
return 0
`;

type ClaimCommand = (key: string, path: string, ttlSec: number) => Promise<number>;

/**
 * One widget_request token serves one salesbot wait (docs/architecture.md, "Unauthenticated
 * callers"): the first continue path that shows it owns it until it expires. A true resend (the
 * same continue path) passes, and the delivery key makes it a duplicate.
 */
@Injectable()
export class BotTokenUses {
  private readonly logger = new Logger(BotTokenUses.name);
  private readonly claimCommand: ClaimCommand;

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.claimCommand = defineScript(redis, 'botTokenClaim', 1, CLAIM_SCRIPT);
  }

  /**
   * False when the token (its `jti`, else the whole token) was already used for another wait.
   * When Redis does not answer in time the request is let through: losing a customer's message
   * is worse than a replay window during an outage.
   */
  async claim(token: { jti: string | null; raw: string; exp: number }, path: string) {
    const id = createHash('sha256')
      .update(token.jti ? `jti:${token.jti}` : `token:${token.raw}`)
      .digest('hex');
    const ttlSec = Math.max(1, Math.ceil(token.exp + CLOCK_SKEW_SEC - Date.now() / 1000));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CLAIM_TIMEOUT_MS);
    });
    try {
      const result = await Promise.race([
        this.claimCommand(redisKey(this.config, 'bot-token', id), path, ttlSec),
        timeout,
      ]);
      if (result === 'timeout') throw new Error('Redis did not answer in time');
      return result === 1;
    } catch (error) {
      this.logger.warn(
        { error: error instanceof Error ? error.message : String(error) },
        'widget_request token use not checked',
      );
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
