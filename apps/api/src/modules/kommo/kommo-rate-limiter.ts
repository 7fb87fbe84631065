import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { KommoApiError } from './kommo-errors';

/**
 * GCRA as slot reservation, in microseconds of Redis' clock (one clock for every process).
 * KEYS[1]: the installation's theoretical arrival time (tat). ARGV: interval µs, max wait µs
 * (-1 = none), pause µs (0 = reserve a slot; > 0 = only push tat to now + pause).
 * Returns {wait µs, slot µs}; wait < 0 means "not reserved, the next slot is -wait µs away".
 */
const RESERVE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
local maxWait = tonumber(ARGV[2])
local pause = tonumber(ARGV[3])
if pause > 0 then
  local until_ = now + pause
  if until_ > tat then
    redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', math.ceil(pause / 1000) + 2000)
  end
  return {0, string.format('%d', now)}
end
local slot = math.max(tat, now)
local wait = slot - now
if maxWait >= 0 and wait > maxWait then
  return {-wait, string.format('%d', slot)}
end
local nextTat = slot + interval
redis.call('SET', KEYS[1], string.format('%d', nextTat), 'PX', math.ceil((nextTat - now) / 1000) + 2000)
return {wait, string.format('%d', slot)}
`;

/**
 * The last line of defence, checked right before a request goes out: at most `limit` sends in any
 * second (Redis clock), as Kommo counts them. Slots keep requests evenly spaced, but a process that
 * stalls wakes its waiters together; this window makes the late ones wait again instead of
 * bunching. KEYS[1]: a sorted set of send times (µs). ARGV: limit, a unique member.
 * Returns 0 when recorded, else µs until the oldest send leaves the window.
 */
const WINDOW_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 2000)
  return 0
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
return math.max(1, oldest + window - now)
`;

type WindowCommand = (key: string, limit: number, member: string) => Promise<number>;

type ReserveCommand = (
  key: string,
  intervalUs: number,
  maxWaitUs: number,
  pauseUs: number,
) => Promise<[number, string]>;

export const DEFAULT_MAX_WAIT_MS = 30_000;
const MAX_LATE_RETRIES = 3;

/** A reserved request slot: when (Redis clock, ms) and how long the caller has to wait for it. */
export type KommoRateSlot = { waitMs: number; slotAtMs: number };

/**
 * Kommo allows 7 requests per second per account, measured by Kommo over a sliding second, and
 * answers more with 429 and then a 403 block. Every process shares one schedule per installation
 * in Redis: each request reserves the next free slot, slots are evenly spaced 1/rate s apart and
 * never bunch up (unlike a token bucket, which lets a full bucket plus its refill through in one
 * second). The budget (KOMMO_RATE_LIMIT_PER_SECOND, 6) stays under 7 to absorb arrival jitter.
 */
@Injectable()
export class KommoRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly reserveCommand: ReserveCommand;
  private readonly windowCommand: WindowCommand;
  private readonly intervalUs: number;
  private readonly perSecond: number;

  constructor(private readonly config: AppConfig) {
    this.redis = new Redis(config.get('REDIS_URL'), { maxRetriesPerRequest: 3 });
    // A failing call rejects on its own; an unhandled 'error' event would crash the process.
    this.redis.on('error', () => undefined);
    this.redis.defineCommand('kommoReserve', { numberOfKeys: 1, lua: RESERVE_SCRIPT });
    const command = (this.redis as unknown as { kommoReserve: ReserveCommand }).kommoReserve;
    this.reserveCommand = command.bind(this.redis);
    this.redis.defineCommand('kommoWindow', { numberOfKeys: 1, lua: WINDOW_SCRIPT });
    const window = (this.redis as unknown as { kommoWindow: WindowCommand }).kommoWindow;
    this.windowCommand = window.bind(this.redis);
    this.perSecond = Math.floor(config.get('KOMMO_RATE_LIMIT_PER_SECOND'));
    // Rounded up so that `rate` consecutive slots always span at least a full second.
    this.intervalUs = Math.ceil(1_000_000 / config.get('KOMMO_RATE_LIMIT_PER_SECOND'));
  }

  /**
   * Waits for this installation's next request slot. Throws KommoApiError `rate_limit` (retryable,
   * nothing reserved) when the slot is more than `maxWaitMs` away, e.g. during a 429 pause, so a
   * job gives its worker back and retries later instead of sleeping for minutes.
   */
  async acquire(installationId: string, options: { maxWaitMs?: number } = {}): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const slot = await this.reserve(installationId, options);
      const due = Date.now() + slot.waitMs;
      if (slot.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, slot.waitMs));
      // A busy event loop can wake us long after our slot, right next to the following one;
      // sending then would bunch two requests together. Give the slot up and take a new one.
      if (Date.now() - due <= this.intervalUs / 2000 || attempt >= MAX_LATE_RETRIES) break;
    }
    await this.withinWindow(installationId);
  }

  /** Waits until this send keeps the last second at the budget or under. */
  private async withinWindow(installationId: string): Promise<void> {
    const member = randomUUID();
    for (;;) {
      const waitUs = await this.windowCommand(
        this.windowKey(installationId),
        this.perSecond,
        member,
      );
      if (waitUs <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(waitUs / 1000)));
    }
  }

  /** Reserves the next slot without waiting for it (acquire = reserve + sleep). */
  async reserve(
    installationId: string,
    options: { maxWaitMs?: number } = {},
  ): Promise<KommoRateSlot> {
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    const [waitUs, slotUs] = await this.reserveCommand(
      this.key(installationId),
      this.intervalUs,
      Math.round(maxWaitMs * 1000),
      0,
    );
    if (waitUs < 0) {
      const retryAfterMs = Math.ceil(-waitUs / 1000);
      throw new KommoApiError({
        kind: 'rate_limit',
        retryAfterMs,
        message: `Kommo rate limit: next request slot for this installation is ${retryAfterMs} ms away`,
      });
    }
    return { waitMs: Math.ceil(waitUs / 1000), slotAtMs: Number(slotUs) / 1000 };
  }

  /**
   * Books slots for requests already sent outside the limiter (the install's token exchange and
   * account reads happen before the installation has an id), so the calls after them keep spacing.
   */
  async charge(installationId: string, requests: number): Promise<void> {
    for (let i = 0; i < requests; i++) {
      await this.reserveCommand(this.key(installationId), this.intervalUs, -1, 0);
      // Sent already: counted in the window whatever it holds.
      await this.windowCommand(
        this.windowKey(installationId),
        Number.MAX_SAFE_INTEGER,
        randomUUID(),
      );
    }
  }

  /** Holds every process's requests for this installation back for `ms` (Kommo said 429). */
  async pause(installationId: string, ms: number): Promise<void> {
    if (!(ms > 0)) return;
    await this.reserveCommand(this.key(installationId), this.intervalUs, -1, Math.round(ms * 1000));
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private windowKey(installationId: string): string {
    return `${this.config.get('REDIS_PREFIX')}:kommo-sent:${installationId}`;
  }

  private key(installationId: string): string {
    return `${this.config.get('REDIS_PREFIX')}:kommo-rate:${installationId}`;
  }
}
