import { type ProviderErrorClass } from '@gpt-bridge/shared';

/**
 * How a provider call failed; decides retrying and the LOG line a person reads. The list, with
 * what each means, is the stored contract in packages/shared (PROVIDER_ERROR_CLASSES).
 */
export type { ProviderErrorClass };

const RETRYABLE: ReadonlySet<ProviderErrorClass> = new Set([
  'rate_limit',
  'server',
  'network',
  'timeout',
]);

export type ProviderErrorInit = {
  /** Display name: "OpenAI", "Dify", "Chatbase", or the compatible endpoint's host. */
  provider: string;
  errorClass: ProviderErrorClass;
  /** Short and readable, without secrets: "invalid API key", "model `x` does not exist". */
  message: string;
  status?: number;
  /** The provider's own error code (`insufficient_quota`, `CHAT_CREDITS_EXHAUSTED`, …). */
  code?: string;
  retryAfterMs?: number;
  /** Defaults by class (rate_limit, server, network, timeout). */
  retryable?: boolean;
};

/**
 * Every failure of a provider call. It carries only what we chose to keep, never the request,
 * headers or key, so it is safe to log and to store. Its stored class is `errorClass`.
 * The one error not built on AppError: its `code` has always been the provider's own code (tests
 * and logs read it), which cannot also be AppError's typed `code`. RetriesExhausted, the
 * AppError the pipeline sees, carries its class as `code`.
 */
export class ProviderError extends Error {
  readonly provider: string;
  readonly errorClass: ProviderErrorClass;
  readonly status?: number;
  readonly code?: string;
  readonly retryAfterMs?: number;
  readonly retryable: boolean;

  constructor(init: ProviderErrorInit) {
    super(`${init.provider}: ${init.message}`);
    this.name = 'ProviderError';
    this.provider = init.provider;
    this.errorClass = init.errorClass;
    this.retryable = init.retryable ?? RETRYABLE.has(init.errorClass);
    if (init.status !== undefined) this.status = init.status;
    if (init.code !== undefined) this.code = init.code;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** The LOG field's line: `ERROR OpenAI: invalid API key` (Kommo text fields hold 256 chars). */
  logLine(): string {
    return `ERROR ${this.message}`.slice(0, 250);
  }
}

/**
 * `Retry-After` (seconds or an HTTP date) or OpenAI's `retry-after-ms`, in ms; undefined when
 * absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
