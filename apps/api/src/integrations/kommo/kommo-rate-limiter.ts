import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { KommoApiError } from './kommo-errors';
import { PAUSE_SCRIPT, RESERVE_SCRIPT, WINDOW_SCRIPT } from './kommo-rate-scripts';
import { defineScript } from '../../common/redis/redis-script';

type ReserveCommand = (
  installationKey: string,
  egressKey: string,
  intervalUs: number,
  egressIntervalUs: number,
  maxWaitUs: number,
) => Promise<[number, string]>;

type PauseCommand = (
  tatKey: string,
  holdKey: string,
  refusedKey: string,
  pauseUs: number,
  rememberMs: number,
) => Promise<number>;

type WindowCommand = (
  sentKey: string,
  egressSentKey: string,
  holdKey: string,
  egressHoldKey: string,
  epochKey: string,
  tatKey: string,
  egressTatKey: string,
  limit: number,
  egressLimit: number,
  member: string,
  seeds: number,
  egressSeeds: number,
  force: number,
  windowUs: number,
) => Promise<number>;

export const DEFAULT_MAX_WAIT_MS = 30_000;
const MAX_LATE_RETRIES = 3;
const WINDOW_US = 1_000_000;
// How long a 429 or a block is remembered: a 403 within it is read as Kommo's block.
export const REFUSAL_MEMORY_MS = 120_000;

/** A reserved request slot: when (Redis clock, ms) and how long the caller has to wait for it. */
export type KommoRateSlot = { waitMs: number; slotAtMs: number };

/** Kommo's limit, in any second (docs/kommo-contract.md §4.2); our budgets stay under it. */
export const KOMMO_LIMIT_PER_SECOND = 7;
const JITTER_MARGIN = 1;

/** `seeds`: sends booked in the first window after a lost state, leaving Kommo's room only. */
type Budget = { perSecond: number; intervalUs: number; seeds: number };

function budget(rate: number): Budget {
  const perSecond = Math.floor(rate);
  // Kommo may have seen `perSecond` sends in the last second; it takes 7 minus that more, less
  // the one request of margin we keep for jitter at any time (with a budget of 6: none).
  const room = Math.max(0, KOMMO_LIMIT_PER_SECOND - JITTER_MARGIN - perSecond);
  return {
    perSecond,
    // Rounded up so that `rate` consecutive slots always span at least a full second.
    intervalUs: Math.ceil(1_000_000 / rate),
    seeds: Math.max(0, perSecond - room),
  };
}

/**
 * Kommo allows 7 requests per second, measured by Kommo over a sliding second, and answers more
 * with 429 and then a 403 block. Every process shares one schedule per installation in Redis (and,
 * with KOMMO_EGRESS_RATE_LIMIT_PER_SECOND, one for all installations behind our address): each
 * request reserves the next free slot, evenly spaced, then passes a sliding-window check right
 * before it leaves. The budget stays under Kommo's 7 to absorb arrival jitter, and after a lost
 * state the first second spends only what Kommo may still have room for. Rules: docs/architecture.md "Kommo request budget".
 */
@Injectable()
export class KommoRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly reserveCommand: ReserveCommand;
  private readonly pauseCommand: PauseCommand;
  private readonly windowCommand: WindowCommand;
  private readonly own: Budget;
  /** Off when perSecond is 0. */
  private readonly egress: Budget;

  constructor(private readonly config: AppConfig) {
    this.redis = new Redis(config.get('REDIS_URL'), { maxRetriesPerRequest: 3 });
    // A failing call rejects on its own; an unhandled 'error' event would crash the process.
    this.redis.on('error', () => undefined);
    this.reserveCommand = defineScript(this.redis, 'kommoReserve', 2, RESERVE_SCRIPT);
    this.pauseCommand = defineScript(this.redis, 'kommoPause', 3, PAUSE_SCRIPT);
    this.windowCommand = defineScript(this.redis, 'kommoWindow', 7, WINDOW_SCRIPT);
    this.own = budget(config.get('KOMMO_RATE_LIMIT_PER_SECOND'));
    const egress = config.get('KOMMO_EGRESS_RATE_LIMIT_PER_SECOND');
    this.egress = egress > 0 ? budget(egress) : { perSecond: 0, intervalUs: 0, seeds: 0 };
  }

  /** Whether one budget is shared by every installation (Kommo limiting by IP). */
  get egressBudgetOn(): boolean {
    return this.egress.perSecond > 0;
  }

  /**
   * Waits for this installation's next request slot. Throws KommoApiError `rate_limit` (retryable,
   * nothing reserved) when the slot is more than `maxWaitMs` away, e.g. during a 429 pause, so a
   * job gives its worker back and retries later instead of sleeping for minutes.
   */
  async acquire(installationId: string, options: { maxWaitMs?: number } = {}): Promise<void> {
    const member = randomUUID();
    for (;;) {
      await this.awaitSlot(installationId, options);
      if (await this.withinWindow(installationId, member)) return;
      // Held (a pause began after our slot was reserved) or full for longer than a slot (a lost
      // state, a stalled process): take a new slot, which the window pushed past its end, rather
      // than wake together with every other waiter.
    }
  }

  /** True once this send fits the window; false when the caller should re-reserve. */
  private async withinWindow(installationId: string, member: string): Promise<boolean> {
    for (;;) {
      const waitUs = await this.window(installationId, member, false);
      if (waitUs === 0) return true;
      // A few ms short (timers fire late; the send a second before us did too): just wait.
      if (waitUs < 0 || waitUs > this.own.intervalUs / 2) return false;
      await sleep(Math.ceil(waitUs / 1000));
    }
  }

  private async awaitSlot(installationId: string, options: { maxWaitMs?: number }) {
    for (let attempt = 0; ; attempt++) {
      const slot = await this.reserve(installationId, options);
      const due = Date.now() + slot.waitMs;
      if (slot.waitMs > 0) await sleep(slot.waitMs);
      // A busy event loop can wake us long after our slot, right next to the following one;
      // sending then would bunch two requests together. Give the slot up and take a new one.
      if (Date.now() - due <= this.own.intervalUs / 2000 || attempt >= MAX_LATE_RETRIES) return;
    }
  }

  /** Reserves the next slot without waiting for it (acquire = reserve + sleep). */
  async reserve(
    installationId: string,
    options: { maxWaitMs?: number } = {},
  ): Promise<KommoRateSlot> {
    const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    const [waitUs, slotUs] = await this.reserveCommand(
      this.key('kommo-rate', installationId),
      this.key('kommo-rate', null),
      this.own.intervalUs,
      this.egress.intervalUs,
      Math.round(maxWaitMs * 1000),
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
      await this.reserveCommand(
        this.key('kommo-rate', installationId),
        this.key('kommo-rate', null),
        this.own.intervalUs,
        this.egress.intervalUs,
        -1,
      );
      await this.window(installationId, randomUUID(), true); // sent already: counted anyway
    }
  }

  /**
   * Holds every process's requests for this installation back for `ms` (Kommo said 429 or
   * blocked us), slots already reserved included; `egressMs` holds every installation's (Kommo
   * limiting by address; only with the egress budget on). Each refusal is remembered for
   * REFUSAL_MEMORY_MS.
   */
  async pause(installationId: string, ms: number, options: { egressMs?: number } = {}) {
    const holds: [string | null, number][] = [[installationId, ms]];
    if (this.egressBudgetOn && options.egressMs) holds.push([null, options.egressMs]);
    for (const [scope, holdMs] of holds) {
      if (!(holdMs > 0)) continue;
      await this.pauseCommand(
        this.key('kommo-rate', scope),
        this.key('kommo-hold', scope),
        this.key('kommo-refused', scope),
        Math.round(holdMs * 1000),
        REFUSAL_MEMORY_MS,
      );
    }
  }

  /** Whether Kommo refused this installation (or, with the egress budget, anyone) recently. */
  async refusedRecently(installationId: string): Promise<boolean> {
    const keys = [this.key('kommo-refused', installationId)];
    if (this.egressBudgetOn) keys.push(this.key('kommo-refused', null));
    return (await this.redis.exists(...keys)) > 0;
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private window(installationId: string, member: string, force: boolean): Promise<number> {
    return this.windowCommand(
      this.key('kommo-sent', installationId),
      this.key('kommo-sent', null),
      this.key('kommo-hold', installationId),
      this.key('kommo-hold', null),
      `${this.config.get('REDIS_PREFIX')}:kommo-epoch`,
      this.key('kommo-rate', installationId),
      this.key('kommo-rate', null),
      this.own.perSecond,
      this.egress.perSecond,
      member,
      this.own.seeds,
      this.egress.seeds,
      force ? 1 : 0,
      WINDOW_US,
    );
  }

  /** `null` = the egress scope (every installation together). */
  private key(kind: string, installationId: string | null): string {
    const prefix = this.config.get('REDIS_PREFIX');
    return installationId === null
      ? `${prefix}:${kind}:egress`
      : `${prefix}:${kind}:${installationId}`;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
