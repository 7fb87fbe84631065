import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS, redisKey } from '../../common/redis/redis.module';
import { type KommoHost } from './kommo-host';
import { defineScript } from '../../common/redis/redis-script';

/** Kommo's authorization codes live 20 minutes (docs/architecture.md): a code is seen once in that. */
const CODE_TTL_SEC = 20 * 60;
/** Code exchanges sent per second by all processes together, whatever the accounts. */
const EXCHANGES_PER_SECOND = 3;

/**
 * KEYS: the code's key, the referer's and the total counter of this window, the state nonce's key
 * (or '' for Kommo's install call, which carries no state).
 * ARGV: per-referer limit, total limit, window s, state TTL s.
 * Returns {0} admitted, {1, outcome} a code already seen, {2, retry s} over budget, {3} state used.
 * Nothing is written for a refused call, so a flood adds no keys past the budget.
 */
const ADMIT_SCRIPT = `
local seen = redis.call('GET', KEYS[1])
if seen then return {1, seen} end
if KEYS[4] ~= '' and redis.call('EXISTS', KEYS[4]) == 1 then return {3, ''} end
local host = tonumber(redis.call('GET', KEYS[2]) or '0')
local total = tonumber(redis.call('GET', KEYS[3]) or '0')
if host >= tonumber(ARGV[1]) or total >= tonumber(ARGV[2]) then
  local ttl = math.max(redis.call('TTL', KEYS[2]), redis.call('TTL', KEYS[3]), 1)
  return {2, tostring(ttl)}
end
local window = tonumber(ARGV[3])
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], window)
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], window)
redis.call('SET', KEYS[1], 'pending', 'EX', ${CODE_TTL_SEC})
if KEYS[4] ~= '' then redis.call('SET', KEYS[4], '1', 'EX', ARGV[4]) end
return {0, ''}
`;

/** A sliding second of sends (µs of Redis' clock); 0 = recorded, else µs to wait. */
const PACE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000000)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 2000)
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(1, oldest + 1000000 - now)
`;

export type CodeOutcome = 'pending' | 'done' | 'refused';
export type Admission =
  | { kind: 'admitted' }
  | { kind: 'seen'; outcome: CodeOutcome }
  | { kind: 'over_budget'; retryAfterSec: number }
  | { kind: 'state_used' };

type AdmitCommand = (...args: (string | number)[]) => Promise<[number, string]>;
type PaceCommand = (key: string, limit: number, member: string) => Promise<number>;

/**
 * What an unauthenticated caller can make us send to Kommo's token endpoint: each code once in
 * its lifetime (hashed, never stored), at most KOMMO_TOKEN_BUDGET_PER_ACCOUNT per referer and
 * KOMMO_TOKEN_BUDGET_TOTAL in all per KOMMO_TOKEN_BUDGET_WINDOW_SECONDS, and the sends paced.
 */
@Injectable()
export class OAuthTokenBudget {
  private readonly admitCommand: AdmitCommand;
  private readonly paceCommand: PaceCommand;

  constructor(
    private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.admitCommand = defineScript(redis, 'oauthAdmit', 4, ADMIT_SCRIPT);
    this.paceCommand = defineScript(redis, 'oauthPace', 1, PACE_SCRIPT);
  }

  /** Decides whether this callback may cost a token-endpoint call, and books it if so. */
  async admit(
    target: KommoHost,
    code: string,
    state?: { nonce: string; expiresAt: number },
  ): Promise<Admission> {
    const window = this.config.get('KOMMO_TOKEN_BUDGET_WINDOW_SECONDS');
    const slot = Math.floor(Date.now() / 1000 / window);
    const [kind, value] = await this.admitCommand(
      this.codeKey(code),
      redisKey(this.config, 'oauth-budget', slot, 'host', target.host),
      redisKey(this.config, 'oauth-budget', slot, 'total'),
      state ? redisKey(this.config, 'oauth-state-used', state.nonce) : '',
      this.config.get('KOMMO_TOKEN_BUDGET_PER_ACCOUNT'),
      this.config.get('KOMMO_TOKEN_BUDGET_TOTAL'),
      window,
      state ? Math.max(1, Math.ceil((state.expiresAt - Date.now()) / 1000)) : 1,
    );
    if (kind === 0) return { kind: 'admitted' };
    if (kind === 1) return { kind: 'seen', outcome: value as CodeOutcome };
    if (kind === 3) return { kind: 'state_used' };
    return { kind: 'over_budget', retryAfterSec: Math.max(1, Number(value)) };
  }

  /** Remembers how the exchange ended, so a repeat of the code is answered without a call. */
  async settle(code: string, outcome: Exclude<CodeOutcome, 'pending'>): Promise<void> {
    await this.redis.set(this.codeKey(code), outcome, 'KEEPTTL');
  }

  /** Waits until a send keeps every process's code exchanges within EXCHANGES_PER_SECOND. */
  async pace(): Promise<void> {
    const member = randomUUID();
    const key = redisKey(this.config, 'oauth-sent');
    for (;;) {
      const waitUs = await this.paceCommand(key, EXCHANGES_PER_SECOND, member);
      if (waitUs <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(waitUs / 1000)));
    }
  }

  private codeKey(code: string): string {
    return redisKey(this.config, 'oauth-code', createHash('sha256').update(code).digest('hex'));
  }
}
