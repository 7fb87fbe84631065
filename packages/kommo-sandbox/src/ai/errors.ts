import { type Failure } from './script.js';

/** A complete HTTP answer: what every fake handler produces, success or error. */
export type Outcome = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  contentType?: string;
};

export type ErrorFlavour = 'openai' | 'dify' | 'chatbase-v1' | 'chatbase-v2';

export function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
  headers?: Record<string, string>,
): Outcome {
  return { status, body: { error: { message, type, param, code } }, headers };
}

export function difyError(status: number, code: string, message: string): Outcome {
  return { status, body: { code, message, status } };
}

export function chatbaseError(
  version: 'v1' | 'v2',
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): Outcome {
  // v1 error bodies are not documented; `{message}` is the sandbox's stand-in.
  if (version === 'v1') return { status, body: { message } };
  return { status, body: { error: details ? { code, message, details } : { code, message } } };
}

export function openAiRateLimitHeaders(retryAfterSeconds: number | null): Record<string, string> {
  const limited = retryAfterSeconds !== null;
  const headers: Record<string, string> = {
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-limit-tokens': '10000000',
    'x-ratelimit-remaining-requests': limited ? '0' : '9999',
    'x-ratelimit-remaining-tokens': limited ? '0' : '9999000',
    'x-ratelimit-reset-requests': limited ? `${retryAfterSeconds}s` : '6ms',
    'x-ratelimit-reset-tokens': limited ? `${retryAfterSeconds}s` : '6ms',
  };
  if (limited && retryAfterSeconds > 0) headers['retry-after'] = String(retryAfterSeconds);
  return headers;
}

/** Maps a scripted failure to the provider's own status, body and headers. */
export function failureOutcome(flavour: ErrorFlavour, failure: Failure, model?: string): Outcome {
  const outcome = baseFailure(flavour, failure, model ?? 'gpt-4o-mini');
  if (failure.status !== undefined) outcome.status = failure.status;
  if (failure.status !== undefined && flavour === 'dify') {
    (outcome.body as { status: number }).status = failure.status;
  }
  if (failure.headers) outcome.headers = { ...outcome.headers, ...failure.headers };
  return outcome;
}

function retryAfter(failure: Failure): number {
  return failure.retryAfterSeconds ?? 1;
}

function baseFailure(flavour: ErrorFlavour, failure: Failure, model: string): Outcome {
  if (failure.kind === 'custom') {
    return { status: failure.status ?? 500, body: failure.body ?? {}, headers: failure.headers };
  }
  switch (flavour) {
    case 'openai':
      return openAiFailure(failure, model);
    case 'dify':
      return difyFailure(failure);
    case 'chatbase-v1':
      return chatbaseFailure('v1', failure);
    case 'chatbase-v2':
      return chatbaseFailure('v2', failure);
  }
}

function openAiFailure(failure: Failure, model: string): Outcome {
  const m = failure.message;
  switch (failure.kind) {
    case 'rate_limit': {
      const seconds = retryAfter(failure);
      return openAiError(
        429,
        m ??
          `Rate limit reached for ${model} in organization org-sandbox on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${seconds}s.`,
        'requests',
        failure.code ?? 'rate_limit_exceeded',
        null,
        openAiRateLimitHeaders(seconds),
      );
    }
    case 'insufficient_quota':
    case 'provider_quota_exceeded':
    case 'credits_exhausted':
    case 'agent_credits_exhausted':
      // Billing 429s carry no Retry-After: waiting does not help.
      return openAiError(
        429,
        m ??
          'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        failure.code ?? 'insufficient_quota',
      );
    case 'invalid_api_key':
      return openAiError(
        401,
        m ??
          'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
        'invalid_request_error',
        failure.code ?? 'invalid_api_key',
      );
    case 'model_not_found':
      return modelNotFound(model, m);
    case 'overloaded':
      return openAiError(
        503,
        m ?? 'The server is overloaded or not ready yet.',
        'service_unavailable_error',
        failure.code ?? 'server_is_overloaded',
        null,
        { 'retry-after': String(retryAfter(failure)) },
      );
    case 'server_error':
    case 'app_unavailable':
    case 'hang':
    case 'custom':
      return openAiError(
        500,
        m ?? 'The server had an error while processing your request. Sorry about that!',
        'server_error',
        failure.code ?? null,
      );
  }
}

export function modelNotFound(model: string, message?: string): Outcome {
  return openAiError(
    404,
    message ?? `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    'model_not_found',
  );
}

function difyFailure(failure: Failure): Outcome {
  const m = failure.message;
  switch (failure.kind) {
    case 'rate_limit': {
      const outcome = difyError(
        429,
        failure.code ?? 'too_many_requests',
        m ?? 'Too many requests. Please try again later.',
      );
      const seconds = retryAfter(failure);
      if (seconds > 0) outcome.headers = { 'retry-after': String(seconds) };
      return outcome;
    }
    case 'insufficient_quota':
    case 'provider_quota_exceeded':
    case 'credits_exhausted':
    case 'agent_credits_exhausted':
      return difyError(
        400,
        failure.code ?? 'provider_quota_exceeded',
        m ??
          'Your quota for Dify Hosted Model Provider has been exhausted. Please go to Settings -> Model Provider to complete your own provider credentials.',
      );
    case 'invalid_api_key':
      return difyError(401, failure.code ?? 'unauthorized', m ?? 'Access token is invalid');
    case 'app_unavailable':
      return difyError(
        400,
        failure.code ?? 'app_unavailable',
        m ?? 'App unavailable, please check your app configurations.',
      );
    case 'model_not_found':
      return difyError(
        400,
        failure.code ?? 'model_currently_not_support',
        m ?? 'Dify Hosted OpenAI trial currently not support the GPT-4 model.',
      );
    case 'overloaded':
    case 'server_error':
    case 'hang':
    case 'custom':
      return difyError(
        500,
        failure.code ?? 'internal_server_error',
        m ?? 'The server encountered an internal error and was unable to complete your request.',
      );
  }
}

function chatbaseFailure(version: 'v1' | 'v2', failure: Failure): Outcome {
  const m = failure.message;
  const error = (status: number, code: string, message: string) =>
    chatbaseError(version, status, failure.code ?? code, m ?? message);
  switch (failure.kind) {
    case 'rate_limit': {
      const outcome = error(429, 'RATE_LIMIT_TOO_MANY_REQUESTS', 'Rate limit exceeded.');
      const seconds = retryAfter(failure);
      if (seconds > 0) outcome.headers = { 'retry-after': String(seconds) };
      return outcome;
    }
    // The HTTP status for exhausted credits is not documented; 402 is the sandbox's choice.
    case 'insufficient_quota':
    case 'provider_quota_exceeded':
    case 'credits_exhausted':
      return error(
        402,
        'CHAT_CREDITS_EXHAUSTED',
        "The workspace's message credit balance is zero. Upgrade the plan or wait for credits to reset.",
      );
    case 'agent_credits_exhausted':
      return error(
        402,
        'CHAT_AGENT_CREDITS_EXHAUSTED',
        "The specific agent's credit allocation has been used up.",
      );
    case 'invalid_api_key':
      return error(401, 'AUTH_INVALID_API_KEY', 'The API key is not valid.');
    case 'app_unavailable':
      return error(404, 'AGENT_NOT_FOUND', 'Agent not found.');
    case 'model_not_found':
      return error(
        403,
        'CHAT_MODEL_NOT_ALLOWED',
        'The agent is configured to use a model that is not available on the current plan.',
      );
    case 'overloaded':
    case 'server_error':
    case 'hang':
    case 'custom':
      return error(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error occurred.');
  }
}
