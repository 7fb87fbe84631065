import { AppError } from '../../common/errors/app-error';
import {
  ProviderError,
  type ProviderErrorClass,
} from '../../integrations/ai-providers/provider-error';

export type RetryOptions = {
  /** Total time for all attempts and waits: what fits the salesbot's wait. */
  budgetMs: number;
  /** Longest single attempt (each attempt also gets at most what is left of the budget). */
  attemptTimeoutMs: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

export type RetryResult<T> = { value: T; attempts: number };

/** Thrown when the attempts ran out; carries the last provider error. */
export class RetriesExhausted extends AppError<ProviderErrorClass> {
  constructor(
    readonly last: ProviderError,
    readonly attempts: number,
  ) {
    super(last.errorClass, 'internal', last.message);
  }
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `attempt` until it succeeds, retrying only errors marked retryable (rate limits that are
 * about pace, 408/409/5xx, network, timeouts): exponential backoff with full jitter, or the
 * provider's Retry-After when it sends one, and never beyond the budget. Billing, auth, 4xx and
 * config errors fail at once.
 */
export async function withRetries<T>(
  attempt: (timeoutMs: number, attemptNo: number) => Promise<T>,
  options: RetryOptions,
): Promise<RetryResult<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 4;
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 8_000;
  const deadline = now() + options.budgetMs;
  for (let attemptNo = 1; ; attemptNo++) {
    const left = deadline - now();
    const timeoutMs = Math.max(1_000, Math.min(options.attemptTimeoutMs, left));
    try {
      return { value: await attempt(timeoutMs, attemptNo), attempts: attemptNo };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (!error.retryable || attemptNo >= maxAttempts) {
        throw new RetriesExhausted(error, attemptNo);
      }
      const backoff = random() * Math.min(cap, base * 2 ** (attemptNo - 1));
      const delay = error.retryAfterMs ?? backoff;
      // Waiting past the budget only delays the error line the salesbot is waiting for.
      if (now() + delay + 1_000 > deadline) throw new RetriesExhausted(error, attemptNo);
      await sleep(delay);
    }
  }
}
