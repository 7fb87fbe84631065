import { type KommoSettings } from './types.js';

export type RateDecision =
  | { allowed: true }
  | { allowed: false; status: 429; retryAfterSec: number }
  | { allowed: false; status: 403; blockedUntil: number };

type Bucket = { hits: number[]; violations: number[]; blockedUntil: number };

/** Who a request is counted for: the integration, the account, the caller's address. */
export type RateCaller = { clientId: string; accountId: number; ip: string };

/**
 * Kommo's "not more than 7 requests per second" (docs/kommo-contract.md §4.2):
 * a sliding window on the sandbox clock per integration+account ('account' scope, the default),
 * per caller address ('ip', the http-codes page's "7 requests per second for IP") or shared by
 * every caller ('global'). Repeated 429s block the key with 403.
 */
export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(
    private readonly now: () => number,
    private readonly settings: () => KommoSettings['rateLimit'],
  ) {}

  /** Counts one request and decides; rejected requests do not take a slot. */
  hit(caller: RateCaller): RateDecision {
    const config = this.settings();
    if (!config.enabled) return { allowed: true };
    const key = this.keyOf(caller);
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { hits: [], violations: [], blockedUntil: 0 };
    this.buckets.set(key, bucket);
    if (now < bucket.blockedUntil) {
      return { allowed: false, status: 403, blockedUntil: bucket.blockedUntil };
    }
    bucket.hits = bucket.hits.filter((at) => at > now - config.windowMs);
    if (bucket.hits.length < config.perWindow) {
      bucket.hits.push(now);
      return { allowed: true };
    }
    bucket.violations = bucket.violations.filter((at) => at > now - config.violationWindowMs);
    bucket.violations.push(now);
    if (config.violationsToBlock > 0 && bucket.violations.length >= config.violationsToBlock) {
      bucket.blockedUntil = now + config.blockMs;
      bucket.violations = [];
      bucket.hits = [];
    }
    const oldest = bucket.hits[0] ?? now;
    const freeIn = Math.max(1, Math.ceil((oldest + config.windowMs - now) / 1000));
    return { allowed: false, status: 429, retryAfterSec: config.retryAfterSec || freeIn };
  }

  /** When the caller's key is blocked, until when (virtual ms); 0 otherwise. */
  blockedUntil(caller: RateCaller): number {
    const until = this.buckets.get(this.keyOf(caller))?.blockedUntil ?? 0;
    return until > this.now() ? until : 0;
  }

  /** Blocks the caller's key (in the current scope) for `ms`, as repeated 429s would. */
  block(caller: RateCaller, ms: number): number {
    const key = this.keyOf(caller);
    const bucket = this.buckets.get(key) ?? { hits: [], violations: [], blockedUntil: 0 };
    bucket.blockedUntil = this.now() + ms;
    bucket.hits = [];
    bucket.violations = [];
    this.buckets.set(key, bucket);
    return bucket.blockedUntil;
  }

  private keyOf(caller: RateCaller): string {
    const scope = this.settings().scope;
    if (scope === 'global') return '*';
    if (scope === 'ip') return `ip:${caller.ip}`;
    return `${caller.clientId}:${caller.accountId}`;
  }

  reset(): void {
    this.buckets.clear();
  }
}
