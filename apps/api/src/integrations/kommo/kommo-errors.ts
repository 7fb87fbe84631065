import { type KommoErrorClass } from '@gpt-bridge/shared';
import { type AxiosError } from 'axios';
import { AppError } from '../../common/errors/app-error';
import { looksLikeAccountGone } from './kommo-account-gone';

export type KommoErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'not_found'
  | 'validation'
  | 'server'
  | 'network'
  | 'payment'
  | 'forbidden'
  /** Kommo's 403 after repeated 429s: wait and retry (docs/architecture.md "Kommo request budget"). */
  | 'blocked';

/**
 * The stored class of a Kommo failure: `kommo_<kind>`. KommoApiError's constructor fails to
 * compile when a kind is added here but not to the shared list.
 */
export type KommoErrorCode = KommoErrorClass;

/** One item of Kommo's `validation-errors`: which item of the request (`request_id`) and why. */
export type KommoValidationGroup = {
  request_id: string;
  errors: { code: string; path: string; detail: string }[];
};

export type KommoApiErrorInit = {
  kind: KommoErrorKind;
  message: string;
  status?: number;
  /** Defaults by kind: server, network and rate_limit are worth retrying, the rest are not. */
  retryable?: boolean;
  retryAfterMs?: number;
  validationErrors?: KommoValidationGroup[];
  /** Kommo's own explanation (problem+json `detail`); defaults to the message. */
  detail?: string;
  /** The account's host looks gone (renamed subdomain; docs/kommo-contract.md §2.6). */
  accountGone?: boolean;
};

/** Which call failed, for messages; never the URL's query or any header. */
export type KommoRequestLabel = { method: string; path: string };

const RETRYABLE_BY_DEFAULT: ReadonlySet<KommoErrorKind> = new Set([
  'server',
  'network',
  'rate_limit',
  'blocked',
]);
const DEFAULT_RETRY_AFTER_MS = 1_000;
/** How long to hold an installation back after a block, when Kommo says nothing of its length. */
export const BLOCK_PROBE_MS = 5_000;

/**
 * A 403 that names the cause: Kommo's limits page says repeated violations turn into "403 for
 * every request" without documenting the body; the sandbox (and Kommo's 429 wording) say "too
 * many requests". A permission 403 says "Access denied" or names a right, never this.
 */
const BLOCK_WORDING = /too many requests|rate.?limit|temporar\w* blocked/i;

/**
 * Every failure of a Kommo call. It holds only what we decided to keep (status, Kommo's detail,
 * validation errors) and never the request config, so tokens cannot leak through logs or JSON.
 * Its `code` is `kommo_<kind>`, the class a request keeps when Kommo refuses it for good.
 */
export class KommoApiError extends AppError<KommoErrorCode> {
  readonly kind: KommoErrorKind;
  readonly status?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly validationErrors?: KommoValidationGroup[];
  readonly detail: string;
  readonly accountGone: boolean;

  constructor(init: KommoApiErrorInit) {
    super(`kommo_${init.kind}`, 'internal', init.message);
    this.kind = init.kind;
    this.retryable = init.retryable ?? RETRYABLE_BY_DEFAULT.has(init.kind);
    this.detail = init.detail ?? init.message;
    this.accountGone = init.accountGone ?? false;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.validationErrors !== undefined) this.validationErrors = init.validationErrors;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      status: this.status,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      detail: this.detail,
      validationErrors: this.validationErrors,
    };
  }
}

export type KommoResponseLike = {
  status: number;
  headers?: Record<string, unknown>;
  data?: unknown;
};

function kindOfStatus(status: number, detail: string): KommoErrorKind {
  if (status === 401) return 'auth';
  if (status === 402) return 'payment';
  if (status === 403) return BLOCK_WORDING.test(detail) ? 'blocked' : 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limit';
  if (status === 408) return 'network';
  if (status >= 400 && status < 500) return 'validation';
  return 'server';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Kommo sends JSON; a proxy in front of it may not (the PHP SDK expects a non-JSON 429). */
function parseBody(data: unknown): Record<string, unknown> | string | undefined {
  if (isRecord(data)) return data;
  if (typeof data !== 'string' || !data.trim()) return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return isRecord(parsed) ? parsed : data;
  } catch {
    return data;
  }
}

function header(headers: KommoResponseLike['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  // Node lower-cases names, but AxiosHeaders built elsewhere keep the sender's case.
  const wanted = name.toLowerCase();
  const key = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : headers[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** `retry_after` in the body wins; else `Retry-After` as seconds or an HTTP date. */
function retryAfterMs(body: Record<string, unknown> | undefined, retryAfter?: string): number {
  const fromBody = Number(body?.retry_after);
  if (body?.retry_after !== undefined && Number.isFinite(fromBody) && fromBody >= 0) {
    return Math.round(fromBody * 1000);
  }
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) {
      return Math.round(seconds * 1000);
    }
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  return DEFAULT_RETRY_AFTER_MS;
}

/** A block's length when Kommo gives one, else BLOCK_PROBE_MS (probe again after it). */
function blockMs(body: Record<string, unknown> | undefined, retryAfter?: string): number {
  const given = body?.retry_after !== undefined || retryAfter !== undefined;
  return given ? retryAfterMs(body, retryAfter) : BLOCK_PROBE_MS;
}

/** Every text field of a problem body, for the block wording check. */
function blockText(body: Record<string, unknown> | undefined): string {
  return [body?.title, body?.detail, body?.hint, body?.message]
    .filter((part): part is string => typeof part === 'string')
    .join(' ');
}

/** A 403 read as Kommo's block because a 429 came shortly before it (see BLOCK_WORDING). */
export function asBlocked(error: KommoApiError): KommoApiError {
  return new KommoApiError({
    kind: 'blocked',
    message: `${error.message} (read as Kommo's block: a 429 came shortly before)`,
    detail: error.detail,
    retryAfterMs: BLOCK_PROBE_MS,
    ...(error.status !== undefined ? { status: error.status } : {}),
  });
}

const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

function validationGroups(body: Record<string, unknown> | undefined): KommoValidationGroup[] {
  const raw = body?.['validation-errors'];
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).map((group) => ({
    request_id: text(group.request_id),
    errors: (Array.isArray(group.errors) ? group.errors : []).filter(isRecord).map((e) => ({
      code: text(e.code),
      path: text(e.path),
      detail: text(e.detail),
    })),
  }));
}

function describe(body: Record<string, unknown> | string | undefined, status: number): string {
  if (typeof body === 'string') return body.replace(/\s+/g, ' ').trim().slice(0, 200);
  // OAuth problems put the specific reason in `hint`.
  const parts = [body?.hint, body?.detail, body?.title, body?.message].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return parts[0] ?? `HTTP ${status}`;
}

function prefix(request?: KommoRequestLabel): string {
  return request ? `Kommo ${request.method.toUpperCase()} ${request.path}` : 'Kommo';
}

/** Maps a non-2xx answer of Kommo (problem+json, other JSON, text or nothing) to an error. */
export function kommoErrorFromResponse(
  response: KommoResponseLike,
  request?: KommoRequestLabel,
  accountGone = false,
): KommoApiError {
  const { status } = response;
  const parsed = parseBody(response.data);
  const body = isRecord(parsed) ? parsed : undefined;
  const detail = describe(parsed, status);
  const kind = kindOfStatus(status, typeof parsed === 'string' ? parsed : blockText(body));
  const groups = validationGroups(body);
  const first = groups
    .flatMap((g) => g.errors.map((e) => `${e.path || '(body)'} ${e.code}`))
    .slice(0, 3);
  const retryAfter = header(response.headers, 'retry-after');
  const wait =
    kind === 'rate_limit'
      ? retryAfterMs(body, retryAfter)
      : kind === 'blocked'
        ? blockMs(body, retryAfter)
        : undefined;
  return new KommoApiError({
    kind,
    status,
    detail,
    message: `${prefix(request)} → ${status}: ${detail}${first.length ? ` (${first.join('; ')})` : ''}`,
    // Redirects are not followed (they could carry our token elsewhere), so they are not retryable.
    ...(status < 400 ? { retryable: false } : {}),
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    ...(groups.length > 0 ? { validationErrors: groups } : {}),
    accountGone,
  });
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);

/**
 * Maps an axios failure. Only the status, headers and body of a response are read; the error's
 * config (which holds the Authorization header) is dropped here.
 */
export function kommoErrorFromAxios(
  error: AxiosError,
  request?: KommoRequestLabel,
  timeoutMs?: number,
): KommoApiError {
  const accountGone = looksLikeAccountGone(error);
  if (error.response) {
    return kommoErrorFromResponse(
      {
        status: error.response.status,
        headers: error.response.headers,
        data: error.response.data,
      },
      request,
      accountGone,
    );
  }
  const code = error.code ?? 'ERR_NETWORK';
  const detail = TIMEOUT_CODES.has(code)
    ? `no answer within ${timeoutMs !== undefined ? `${timeoutMs} ms` : 'the timeout'}`
    : `${code}: ${error.message}`;
  return new KommoApiError({
    kind: 'network',
    detail,
    message: `${prefix(request)}: ${detail}`,
    accountGone,
  });
}
