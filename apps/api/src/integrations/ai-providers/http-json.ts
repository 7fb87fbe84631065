import { ProviderError } from './provider-error';
import { type FetchLike } from './provider.types';

export type JsonRequest = {
  /** Display name for errors: "Dify", "Chatbase", … */
  provider: string;
  fetch: FetchLike;
  url: string;
  headers?: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  /** The caller's own cancellation (pipeline deadline, shutdown). */
  signal?: AbortSignal;
};

export type JsonResponse = {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when an error response is not JSON ('' when empty). */
  body: unknown;
};

/**
 * POSTs JSON and reads the whole answer. Transport failures become ProviderError; HTTP error
 * statuses are returned as they are, because only the provider knows what its codes mean.
 */
export async function postJson(request: JsonRequest): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  let status: number;
  let headers: Headers;
  let text: string;
  try {
    const response = await request.fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...request.headers,
      },
      body: JSON.stringify(request.body),
      // A redirect would re-send the key to wherever it points, past the outbound guard's check.
      redirect: 'error',
      signal,
    });
    status = response.status;
    headers = response.headers;
    // The signal still covers the body: a server that sends headers and stalls times out too.
    text = await response.text();
  } catch (error) {
    throw transportError(request, error, timeout);
  }

  const body = parseJson(text);
  if (status >= 200 && status < 300 && body === undefined) {
    throw new ProviderError({
      provider: request.provider,
      errorClass: 'server',
      status,
      message: `answered ${status} with a body that is not JSON`,
    });
  }
  return { status, headers, body: body === undefined ? text : body };
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function transportError(request: JsonRequest, error: unknown, timeout: AbortSignal): Error {
  // The outbound guard (or a nested helper) may already speak our language.
  if (error instanceof ProviderError) return error;
  const provider = request.provider;
  if (timeout.aborted) {
    const ms = request.timeoutMs;
    const limit = ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
    return new ProviderError({
      provider,
      errorClass: 'timeout',
      message: `no answer within ${limit}`,
    });
  }
  if (request.signal?.aborted) {
    // Our caller gave up (deadline or shutdown): retrying from here would outlive it.
    return new ProviderError({
      provider,
      errorClass: 'timeout',
      message: 'request cancelled',
      retryable: false,
    });
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const causeMessage = cause instanceof Error ? cause.message : '';
  if (/redirect/i.test(causeMessage)) {
    return new ProviderError({
      provider,
      errorClass: 'network',
      message: 'answered with a redirect, which is refused; check the base URL',
      retryable: false,
    });
  }
  const code = errorCode(cause) ?? errorCode(error);
  return new ProviderError({
    provider,
    errorClass: 'network',
    message: code ? `connection failed (${code})` : 'connection failed',
  });
}

function errorCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('code' in value)) return undefined;
  const code = value.code;
  // Only short symbolic codes (ECONNREFUSED, UND_ERR_SOCKET): never free text from elsewhere.
  return typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code) ? code : undefined;
}

/**
 * A provider's own error text made safe for the LOG field: single line, bounded, and with the
 * key masked in case the provider echoes it back.
 */
export function cleanMessage(raw: unknown, secret: string, fallback: string): string {
  if (typeof raw !== 'string') return fallback;
  let text = raw.replace(/\s+/g, ' ').trim();
  if (secret.length >= 4) text = text.split(secret).join('***');
  if (text === '') return fallback;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strips trailing slashes so `{baseUrl}/path` never doubles them. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}
