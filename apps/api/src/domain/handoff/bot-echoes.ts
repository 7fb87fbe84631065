import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { AppConfig } from '../../config/app-config';
import { TEMPLATE_TEXTS } from '../templates/template-texts';

/** How long after we deliver an answer its echo in the chat is still recognised as the bot's. */
export const ECHO_WINDOW_MS = 10 * 60_000;

/** Whitespace and case differ between what we sent and what a chat channel reports back. */
const normalise = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
const digest = (text: string) => createHash('sha256').update(normalise(text)).digest('hex');

// The templates' own messages to the customer (the "just a moment" of the error branch).
const TEMPLATE_MESSAGES: ReadonlySet<string> = new Set(
  Object.values(TEMPLATE_TEXTS).map((texts) => digest(texts.justAMoment)),
);

/**
 * Variant B of docs/kommo-contract.md §8.4: when the salesbot's messages come back as outgoing
 * messages with a user's id, only the text tells them from a person's. We remember a digest of
 * every answer we deliver to a lead for ECHO_WINDOW_MS (Redis keeps no customer text, only
 * SHA-256 digests) and treat an outgoing message with the same text as the bot's own.
 */
@Injectable()
export class BotEchoes {
  private readonly logger = new Logger(BotEchoes.name);

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  /** Before the answer goes to Kommo, so its echo can never arrive first. */
  async remember(installationId: string, leadId: number, text: string): Promise<void> {
    const key = this.key(installationId, leadId);
    const now = Date.now();
    try {
      await this.redis
        .multi()
        .zadd(key, now, digest(text))
        .zremrangebyscore(key, 0, now - ECHO_WINDOW_MS)
        .pexpire(key, ECHO_WINDOW_MS)
        .exec();
    } catch (error) {
      // Without it a variant-B echo may pause the lead: a pause, never a message over a person.
      this.logger.warn({ err: (error as Error).message }, 'answer digest not kept');
    }
  }

  /**
   * Whether `text` is an answer we delivered to the lead within the window, or a template's.
   * Redis down: not an echo, so the lead pauses; a wrong pause is better than talking over a person.
   */
  async isEcho(installationId: string, leadId: number, text: string): Promise<boolean> {
    const hash = digest(text);
    if (TEMPLATE_MESSAGES.has(hash)) return true;
    try {
      const score = await this.redis.zscore(this.key(installationId, leadId), hash);
      return score !== null && Number(score) >= Date.now() - ECHO_WINDOW_MS;
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'answer digests not read');
      return false;
    }
  }

  private key(installationId: string, leadId: number): string {
    return redisKey(this.config, 'handoff', 'echo', installationId, leadId);
  }
}
