import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { type z } from 'zod';
import {
  asBlocked,
  BLOCK_PROBE_MS,
  KommoApiError,
  kommoErrorFromAxios,
  type KommoRequestLabel,
} from './kommo-errors';
import { type KommoHost } from './kommo-host';
import { type KommoRateLimiter } from './kommo-rate-limiter';
import { type KommoTarget, type KommoTokenSource } from './kommo-token-source';

export type KommoCall<T> = {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the account's base URL, e.g. `/api/v4/leads/1`. */
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  /** How to read a 2xx body; without one the body is ignored (202 Accepted answers). */
  schema?: z.ZodType<T>;
};

export type KommoTransportDeps = {
  http: AxiosInstance;
  limiter: KommoRateLimiter;
  tokens: KommoTokenSource;
  timeoutMs: number;
  /** The longest a call waits for Kommo's retry_after before giving the error to the caller. */
  maxRateLimitWaitMs: number;
  /** An account's base URL from its host (KOMMO_API_URL_TEMPLATE). */
  baseUrlOf: (target: KommoHost) => string;
};

// A 429 is retried this often; more means the account is busy beyond our own budget.
const MAX_RATE_LIMIT_RETRIES = 2;

/**
 * Sends one Kommo call for one installation: waits for a rate slot, adds the Bearer token,
 * refreshes it once on 401, honours 429 retry_after (pausing every process), holds every process
 * back on Kommo's 403 block, retries an idempotent GET once on 5xx/network, and turns every
 * failure into a KommoApiError.
 */
export class KommoTransport {
  private current: KommoTarget;
  private base: string;

  constructor(
    private readonly deps: KommoTransportDeps,
    target: KommoTarget,
  ) {
    this.current = target;
    this.base = deps.baseUrlOf(target);
  }

  /** The installation and its host; the host changes when the account turns out renamed. */
  get target(): KommoTarget {
    return this.current;
  }

  get baseUrl(): string {
    return this.base;
  }

  /** The parsed body, or undefined for 204 No Content (and for calls without a schema). */
  async send<T>(call: KommoCall<T>): Promise<T | undefined> {
    const { limiter, tokens, maxRateLimitWaitMs } = this.deps;
    const id = this.target.installationId;
    const label: KommoRequestLabel = { method: call.method, path: call.path };
    // Read before the slot: once the slot is ours the request must leave at once, or calls
    // held up by a token refresh bunch up into a burst above Kommo's limit.
    let token = await tokens.accessToken(id);
    let refreshed = false;
    let rateLimitRetries = 0;
    let getRetried = false;
    let relocated = false;
    for (;;) {
      await limiter.acquire(id, { maxWaitMs: maxRateLimitWaitMs });
      let response: AxiosResponse<unknown>;
      try {
        response = await this.request(call, token);
      } catch (error) {
        const failure = await this.classify(this.toError(error, label));
        // The old host never reached the account, so even a PATCH is safe to send again.
        if (failure.accountGone && !relocated) {
          relocated = true;
          if (await this.relocate()) continue;
        }
        if (failure.kind === 'auth' && !refreshed) {
          refreshed = true;
          token = await tokens.refreshAfterRejection(id, token);
          continue;
        }
        if (failure.kind === 'rate_limit' && rateLimitRetries < MAX_RATE_LIMIT_RETRIES) {
          const waitMs = failure.retryAfterMs ?? 1_000;
          // Every process backs off, even when this call gives up instead of waiting; behind
          // an egress budget Kommo may be counting our address, so everyone skips a window.
          await limiter.pause(id, waitMs, { egressMs: Math.min(waitMs, 1_000) });
          if (waitMs > maxRateLimitWaitMs) throw failure;
          rateLimitRetries += 1;
          continue; // acquire() sleeps until the pause is over
        }
        if (failure.kind === 'blocked') {
          // No retry here: probing a block only prolongs it. Every process holds back, and the
          // caller decides how long to keep trying (the AI pipeline: KOMMO_BLOCK_PATIENCE_SECONDS).
          const holdMs = failure.retryAfterMs ?? BLOCK_PROBE_MS;
          await limiter.pause(id, holdMs, { egressMs: holdMs });
          throw failure;
        }
        const transient = failure.kind === 'server' || failure.kind === 'network';
        if (call.method === 'GET' && transient && failure.retryable && !getRetried) {
          getRetried = true;
          continue;
        }
        throw failure;
      }
      if (response.status === 204 || !call.schema) return undefined;
      return this.parse(call.schema, response.data, label);
    }
  }

  /** Asks for the account's current host (docs/kommo-contract.md §2.6); true when it moved. */
  private async relocate(): Promise<boolean> {
    const moved = await this.deps.tokens.relocate(this.current.installationId, this.current.host);
    if (!moved) return false;
    this.current = { ...this.current, ...moved };
    this.base = this.deps.baseUrlOf(this.current);
    return true;
  }

  private request(call: KommoCall<unknown>, token: string): Promise<AxiosResponse<unknown>> {
    const query = call.query?.toString();
    return this.deps.http.request<unknown>({
      method: call.method,
      url: `${this.base}${call.path}${query ? `?${query}` : ''}`,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(call.body !== undefined ? { data: call.body } : {}),
    });
  }

  /** A 403 without the block's wording is still the block when a 429 came just before it. */
  private async classify(failure: KommoApiError): Promise<KommoApiError> {
    if (failure.kind !== 'forbidden') return failure;
    const refused = await this.deps.limiter
      .refusedRecently(this.target.installationId)
      .catch(() => false); // Redis down: Kommo's own answer decides
    return refused ? asBlocked(failure) : failure;
  }

  private toError(error: unknown, label: KommoRequestLabel): KommoApiError {
    if (axios.isAxiosError(error)) return kommoErrorFromAxios(error, label, this.deps.timeoutMs);
    throw error; // not from the HTTP layer: a bug of ours, not Kommo's answer
  }

  private parse<T>(schema: z.ZodType<T>, data: unknown, label: KommoRequestLabel): T {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const issues = result.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
      .join('; ');
    // Retrying would get the same shape back, so the job should not spin on it.
    return this.fail(label, `unexpected response shape: ${issues}`);
  }

  private fail(label: KommoRequestLabel, detail: string): never {
    throw new KommoApiError({
      kind: 'server',
      retryable: false,
      detail,
      message: `Kommo ${label.method} ${label.path}: ${detail}`,
    });
  }
}
