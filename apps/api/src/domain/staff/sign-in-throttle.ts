import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { defineScript } from '../../common/redis/redis-script';

/**
 * Before the hash. KEYS: the email's lockout, the address's attempts. ARGV: now ms (the app's
 * clock), the address's limit, window s. Returns {0} go on, {1, ms} the email is locked out,
 * {2, ms} the address has used its attempts. An attempt is booked here and given back on success.
 */
const BEFORE_SCRIPT = `
local now = tonumber(ARGV[1])
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if untilMs > now then return {1, untilMs - now} end
local tries = redis.call('INCR', KEYS[2])
if tries == 1 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if tries > tonumber(ARGV[2]) then
  redis.call('DECR', KEYS[2])
  return {2, math.max(redis.call('PTTL', KEYS[2]), 1000)}
end
return {0, 0}
`;

/**
 * A wrong password. KEYS: the email's lockout. ARGV: now ms, max failures, lockout ms.
 * Returns the lockout's end when this failure starts one, else 0.
 */
const FAILURE_SCRIPT = `
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local lockout = tonumber(ARGV[3])
local untilMs = 0
if failures >= tonumber(ARGV[2]) then
  untilMs = tonumber(ARGV[1]) + lockout
  redis.call('HSET', KEYS[1], 'failures', 0, 'until', string.format('%d', untilMs))
end
redis.call('PEXPIRE', KEYS[1], lockout * 2)
return untilMs
`;

/** Gives an address its booked attempt back (never below zero, never a key without expiry). */
const GIVE_BACK_SCRIPT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

/**
 * The Redis key of an email's lockout (the email normalized, hashed so keys name no address);
 * `pnpm admin:create-user` deletes it when it resets a password.
 */
export function signInLockKey(redisPrefix: string, email: string): string {
  return [redisPrefix, 'admin-lock', createHash('sha256').update(email).digest('hex')].join(':');
}

type BeforeCommand = (...args: (string | number)[]) => Promise<[number, number]>;
type FailureCommand = (...args: (string | number)[]) => Promise<number>;
type GiveBackCommand = (key: string) => Promise<number>;

export type SignInVerdict =
  | { kind: 'go' }
  | { kind: 'email_locked'; remainingMs: number }
  | { kind: 'address_throttled'; retryAfterMs: number };

/**
 * Sign-in limits kept in Redis, so every API process gives the same answer and a real email and
 * an unknown one take the same path (docs/architecture.md, "Admin API"): the email's lockout
 * (ADMIN_MAX_FAILED_LOGINS in a row → ADMIN_LOCKOUT_MINUTES) and the client address's attempts
 * (ADMIN_MAX_FAILED_LOGINS_PER_ADDRESS per ADMIN_LOCKOUT_MINUTES, whatever the emails).
 */
@Injectable()
export class SignInThrottle {
  private readonly beforeCommand: BeforeCommand;
  private readonly failureCommand: FailureCommand;
  private readonly giveBackCommand: GiveBackCommand;

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.beforeCommand = defineScript(redis, 'signInBefore', 2, BEFORE_SCRIPT);
    this.failureCommand = defineScript(redis, 'signInFailure', 1, FAILURE_SCRIPT);
    this.giveBackCommand = defineScript(redis, 'signInGiveBack', 1, GIVE_BACK_SCRIPT);
  }

  private get lockoutMs(): number {
    return Math.round(this.config.get('ADMIN_LOCKOUT_MINUTES') * 60_000);
  }

  async before(email: string, address: string, now: Date): Promise<SignInVerdict> {
    const [kind, ms] = await this.beforeCommand(
      this.lockKey(email),
      this.addressKey(address),
      now.getTime(),
      this.config.get('ADMIN_MAX_FAILED_LOGINS_PER_ADDRESS'),
      Math.max(1, Math.round(this.lockoutMs / 1000)),
    );
    if (kind === 1) return { kind: 'email_locked', remainingMs: ms };
    if (kind === 2) return { kind: 'address_throttled', retryAfterMs: ms };
    return { kind: 'go' };
  }

  /** Counts a wrong password (or an unknown email); returns the lockout's end when one starts. */
  async failed(email: string, now: Date): Promise<Date | null> {
    const untilMs = await this.failureCommand(
      this.lockKey(email),
      now.getTime(),
      this.config.get('ADMIN_MAX_FAILED_LOGINS'),
      this.lockoutMs,
    );
    return untilMs > 0 ? new Date(untilMs) : null;
  }

  /** A right password: the email's count starts again and the address gets its attempt back. */
  async succeeded(email: string, address: string): Promise<void> {
    await this.redis.del(this.lockKey(email));
    await this.giveBack(address);
  }

  /** The attempt did not happen after all (no hash slot): the address gets it back. */
  async giveBack(address: string): Promise<void> {
    await this.giveBackCommand(this.addressKey(address));
  }

  private lockKey(email: string): string {
    return signInLockKey(this.config.get('REDIS_PREFIX'), email);
  }

  private addressKey(address: string): string {
    return redisKey(this.config, 'admin-tries', address);
  }
}
