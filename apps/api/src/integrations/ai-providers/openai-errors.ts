import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai';
import { ProviderError, type ProviderErrorClass, retryAfterMs } from './provider-error';

export type OpenAiErrorContext = {
  /** Display name: "OpenAI" (default) or a compatible endpoint's host. */
  provider?: string;
  /** The model we asked for, named in "not found" messages. */
  model?: string;
  /** Redacted from any text we copy out of the provider's answer. */
  apiKey?: string;
  /** Named in timeout messages. */
  timeoutMs?: number;
};

/** 429 codes that mean money, not pace: waiting cannot help (docs/ai-providers.md §1.7). */
const BILLING_CODES: ReadonlySet<string> = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'organization_usage_limit_exceeded',
]);

const MAX_DETAIL = 140;

/** Turns anything the openai SDK throws into a ProviderError a Kommo user can read. */
export function mapOpenAiError(error: unknown, context: OpenAiErrorContext = {}): ProviderError {
  if (error instanceof ProviderError) return error;
  const provider = context.provider ?? 'OpenAI';
  const make = (
    errorClass: ProviderErrorClass,
    message: string,
    extra: { status?: number; code?: string; retryAfterMs?: number; retryable?: boolean } = {},
  ) => new ProviderError({ provider, errorClass, message, ...extra });

  if (isBlocked(error)) return make('blocked_url', (error as Error).message);
  // Order matters: the timeout and abort classes extend APIError too.
  if (error instanceof APIConnectionTimeoutError) {
    const after = context.timeoutMs ? ` after ${Math.round(context.timeoutMs / 1000)} s` : '';
    return make('timeout', `no answer${after} (timeout)`);
  }
  if (error instanceof APIUserAbortError) {
    // We cancelled it ourselves (deadline or shutdown); the caller decides what happens next.
    return make('timeout', 'request cancelled', { retryable: false });
  }
  if (error instanceof APIConnectionError) {
    // The outbound guard's refusal arrives wrapped as the connection error's cause.
    const guarded = findCause(error, (cause) => cause instanceof ProviderError || isBlocked(cause));
    if (guarded instanceof ProviderError) return guarded;
    if (guarded instanceof Error) return make('blocked_url', guarded.message);
    const code = causeCode(error);
    return make('network', `connection failed${code ? ` (${code})` : ''}`);
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    return fromStatus(error as APIError, error.status, context, make);
  }
  if (error instanceof OpenAIError) {
    // Thrown before any request, e.g. a missing key or an invalid option.
    return make('config', clean(error.message, context.apiKey) ?? 'invalid client settings');
  }
  const detail = error instanceof Error ? clean(error.message, context.apiKey) : undefined;
  return make('server', `unexpected error${detail ? `: ${detail}` : ''}`, { retryable: false });
}

type Make = (
  errorClass: ProviderErrorClass,
  message: string,
  extra?: { status?: number; code?: string; retryAfterMs?: number; retryable?: boolean },
) => ProviderError;

function fromStatus(
  error: APIError,
  status: number,
  context: OpenAiErrorContext,
  make: Make,
): ProviderError {
  const code = errorCode(error);
  const type = typeof error.type === 'string' ? error.type : undefined;
  const detail = providerDetail(error, context.apiKey);
  const retryAfter = error.headers ? retryAfterMs(error.headers) : undefined;
  const base = {
    status,
    ...(code !== undefined ? { code } : {}),
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  };
  const billingSite =
    context.provider === undefined || context.provider === 'OpenAI'
      ? 'platform.openai.com'
      : context.provider;

  if (status === 401) {
    const message =
      code === undefined || code === 'invalid_api_key'
        ? 'invalid API key'
        : `authentication failed (${code})`;
    return make('auth', message, base);
  }
  if (status === 403) {
    return make('auth', `access denied${detail ? `: ${detail}` : ''}`, base);
  }
  if (status === 429) {
    // The code is the more specific of the two (credit_balance_exhausted vs insufficient_quota).
    const billingCode = [code, type].find((value) => value && BILLING_CODES.has(value));
    if (billingCode) {
      const what = billingCode.includes('spend_limit') ? 'spend limit reached' : 'quota exhausted';
      const where = billingCode.includes('spend_limit') ? 'raise it' : 'add credit';
      // A quota 429 is permanent until someone pays; never retry it, whatever the headers say.
      return make('billing', `${what} (${billingCode}); ${where} at ${billingSite}`, {
        status,
        code: billingCode,
        retryable: false,
      });
    }
    const wait = retryAfter !== undefined ? `; retry after ${formatSeconds(retryAfter)}` : '';
    return make('rate_limit', `rate limit reached${code ? ` (${code})` : ''}${wait}`, base);
  }
  if (status === 402) {
    return make('billing', `out of credits; add credit at ${billingSite}`, base);
  }
  if (status === 404) {
    const model =
      modelFromError(error, detail) ?? (code === 'model_not_found' ? context.model : undefined);
    if (model !== undefined) {
      return make('not_found', `model \`${model}\` not found (or no access)`, base);
    }
    return make('not_found', `not found${detail ? `: ${detail}` : ''}`, base);
  }
  if (status === 408 || status === 409 || status >= 500) {
    const what =
      status === 408
        ? 'request timed out on the server'
        : status === 409
          ? 'conflict'
          : status === 503
            ? 'server overloaded'
            : 'server error';
    return make('server', `${what} (${status}); try again later`, base);
  }
  // 400, 422 and any other client error: our request or the account's settings were refused.
  return make('bad_request', `request refused${detail ? `: ${detail}` : ` (${status})`}`, base);
}

function errorCode(error: APIError): string | undefined {
  // OpenRouter and others send numeric codes (`{"error":{"code":402,...}}`).
  const code: unknown = error.code;
  if (typeof code === 'string' && code !== '') return code;
  return typeof code === 'number' ? String(code) : undefined;
}

/** The provider's own words, safe to show: no keys, no HTML pages, one short line. */
function providerDetail(error: APIError, apiKey: string | undefined): string | undefined {
  const body: unknown = error.error;
  if (isRecord(body) && typeof body.message === 'string') return clean(body.message, apiKey);
  // Non-JSON error bodies land in the SDK's message, after the status.
  const text = error.message.replace(/^\d{3}\s+/, '');
  if (/^status code \(no body\)$/.test(text) || /^\s*</.test(text)) return undefined;
  return clean(text, apiKey);
}

function modelFromError(error: APIError, detail: string | undefined): string | undefined {
  if (errorCode(error) !== 'model_not_found' && !/\bmodel\b/i.test(detail ?? '')) return undefined;
  return /model [`'"]([^`'"]{1,80})[`'"]/i.exec(detail ?? '')?.[1];
}

/** Removes key-like text and collapses the message to one short line. */
export function clean(text: string, apiKey?: string): string | undefined {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[key]');
  out = out
    .replace(/\bBearer\s+\S+/gi, 'Bearer [key]')
    .replace(/\b(sk|pk|rk|sess)-[\w*.-]{4,}/g, '[key]')
    .replace(/\bgsk_\w{4,}/g, '[key]')
    .replace(/\s+/g, ' ')
    .trim();
  if (out === '') return undefined;
  return out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL - 1)}…` : out;
}

function formatSeconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))} s`;
}

function findCause(error: unknown, test: (cause: unknown) => boolean): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (test(current)) return current;
    current = isRecord(current) ? current.cause : undefined;
  }
  return undefined;
}

/** Node's socket error code (ECONNREFUSED, ENOTFOUND…), a few causes down in undici's errors. */
function causeCode(error: unknown): string | undefined {
  const withCode = findCause(
    error,
    (cause) => isRecord(cause) && typeof cause.code === 'string' && /^[A-Z_]+$/.test(cause.code),
  );
  return isRecord(withCode) ? (withCode.code as string) : undefined;
}

/** The outbound guard's OutboundBlockedError, matched by name to keep this module free of it. */
function isBlocked(value: unknown): boolean {
  return value instanceof Error && value.name === 'OutboundBlockedError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
