import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  OpenAIError,
} from 'openai';
import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error';
import { clean, mapOpenAiError } from './openai-errors';

const KEY = 'sk-test-4f9a1c2b3d4e5f60718293a4b5c6d7e8';

function apiError(
  status: number,
  error: Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
  message?: string,
): APIError {
  return APIError.generate(
    status,
    error === undefined ? undefined : { error },
    message,
    new Headers({ 'x-request-id': 'req_1', ...headers }),
  );
}

function openAiBody(message: string, type: string, code: string | null, param = null) {
  return { message, type, code, param };
}

/** Everything a log line or a stored error could show. */
function visible(error: ProviderError): string {
  return [error.message, error.logLine(), JSON.stringify(error), error.code ?? ''].join('\n');
}

describe('mapOpenAiError', () => {
  describe('401/403', () => {
    it('maps an invalid key to auth without any of the key in the message', () => {
      const error = mapOpenAiError(
        apiError(
          401,
          openAiBody(
            `Incorrect API key provided: sk-te****d7e8. Full: ${KEY}`,
            'invalid_request_error',
            'invalid_api_key',
          ),
        ),
        { apiKey: KEY },
      );
      expect(error).toBeInstanceOf(ProviderError);
      expect(error.errorClass).toBe('auth');
      expect(error.message).toBe('OpenAI: invalid API key');
      expect(error.retryable).toBe(false);
      expect(error.status).toBe(401);
      expect(visible(error)).not.toContain('sk-');
      expect(visible(error)).not.toContain('d7e8');
    });

    it('names another 401 code', () => {
      const error = mapOpenAiError(
        apiError(401, openAiBody('You must be a member…', 'invalid_request_error', 'no_org')),
      );
      expect(error.errorClass).toBe('auth');
      expect(error.message).toBe('OpenAI: authentication failed (no_org)');
    });

    it('maps 403 to auth and keeps the reason but redacts keys in it', () => {
      const error = mapOpenAiError(
        apiError(
          403,
          openAiBody(
            `Country, region, or territory not supported (key ${KEY})`,
            'request_forbidden',
            'unsupported_country_region_territory',
          ),
        ),
        { apiKey: KEY },
      );
      expect(error.errorClass).toBe('auth');
      expect(error.message).toContain('access denied: Country, region, or territory not supported');
      expect(visible(error)).not.toContain(KEY);
      expect(visible(error)).not.toContain('sk-test');
    });
  });

  describe('429', () => {
    it('treats insufficient_quota as billing that is never retried, even with Retry-After', () => {
      const error = mapOpenAiError(
        apiError(
          429,
          openAiBody(
            'You exceeded your current quota, please check your plan and billing details.',
            'insufficient_quota',
            'insufficient_quota',
          ),
          { 'retry-after': '20' },
        ),
      );
      expect(error.errorClass).toBe('billing');
      expect(error.retryable).toBe(false);
      expect(error.retryAfterMs).toBeUndefined();
      expect(error.code).toBe('insufficient_quota');
      expect(error.message).toBe(
        'OpenAI: quota exhausted (insufficient_quota); add credit at platform.openai.com',
      );
    });

    it('reads billing from the type when the code is null', () => {
      const error = mapOpenAiError(apiError(429, openAiBody('quota', 'insufficient_quota', null)));
      expect(error.errorClass).toBe('billing');
      expect(error.retryable).toBe(false);
    });

    it.each([
      'credit_balance_exhausted',
      'organization_spend_limit_exceeded',
      'project_spend_limit_exceeded',
      'organization_usage_limit_exceeded',
    ])('treats code %s as billing', (code) => {
      const error = mapOpenAiError(apiError(429, openAiBody('limit', 'requests', code)));
      expect(error.errorClass).toBe('billing');
      expect(error.retryable).toBe(false);
      expect(error.code).toBe(code);
      expect(error.message).toContain(code);
    });

    it('keeps Retry-After (seconds) on a pace 429', () => {
      const error = mapOpenAiError(
        apiError(
          429,
          openAiBody('Rate limit reached for gpt-4o-mini', 'requests', 'rate_limit_exceeded'),
          { 'retry-after': '2' },
        ),
      );
      expect(error.errorClass).toBe('rate_limit');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(2000);
      expect(error.message).toBe(
        'OpenAI: rate limit reached (rate_limit_exceeded); retry after 2 s',
      );
    });

    it('prefers retry-after-ms', () => {
      const error = mapOpenAiError(
        apiError(429, openAiBody('slow down', 'rate_limit_error', 'slow_down'), {
          'retry-after-ms': '1500',
          'retry-after': '9',
        }),
      );
      expect(error.errorClass).toBe('rate_limit');
      expect(error.retryAfterMs).toBe(1500);
    });

    it('has no retryAfterMs without the headers', () => {
      const error = mapOpenAiError(apiError(429, openAiBody('x', 'requests', null)));
      expect(error.errorClass).toBe('rate_limit');
      expect(error.retryAfterMs).toBeUndefined();
    });
  });

  it('maps OpenRouter 402 (numeric code) to billing named by the host', () => {
    const error = mapOpenAiError(
      apiError(402, { code: 402, message: 'Insufficient credits. Add more using …' }),
      { provider: 'openrouter.ai' },
    );
    expect(error.errorClass).toBe('billing');
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('402');
    expect(error.message).toBe('openrouter.ai: out of credits; add credit at openrouter.ai');
  });

  describe('404', () => {
    it('names the model from the message', () => {
      const error = mapOpenAiError(
        apiError(
          404,
          openAiBody(
            'The model `gpt-x` does not exist or you do not have access to it.',
            'invalid_request_error',
            'model_not_found',
          ),
        ),
      );
      expect(error.errorClass).toBe('not_found');
      expect(error.retryable).toBe(false);
      expect(error.message).toBe('OpenAI: model `gpt-x` not found (or no access)');
    });

    it('falls back to the requested model when the message does not name it', () => {
      const error = mapOpenAiError(
        apiError(404, openAiBody('No such model', 'invalid_request_error', 'model_not_found')),
        { model: 'gpt-y' },
      );
      expect(error.message).toBe('OpenAI: model `gpt-y` not found (or no access)');
    });

    it('keeps the reason for other 404s', () => {
      const error = mapOpenAiError(
        apiError(404, openAiBody('Invalid URL (POST /v1/chat)', 'invalid_request_error', null)),
        { provider: 'example.com' },
      );
      expect(error.errorClass).toBe('not_found');
      expect(error.message).toBe('example.com: not found: Invalid URL (POST /v1/chat)');
    });
  });

  it.each([400, 422, 413])('maps %i to bad_request with the reason', (status) => {
    const error = mapOpenAiError(
      apiError(
        status,
        openAiBody(
          "Unsupported parameter: 'max_tokens' is not supported with this model.",
          'invalid_request_error',
          'unsupported_parameter',
        ),
      ),
    );
    expect(error.errorClass).toBe('bad_request');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      "OpenAI: request refused: Unsupported parameter: 'max_tokens' is not supported with this model.",
    );
  });

  it.each([408, 409, 500, 502, 503, 504])('maps %i to a retryable server error', (status) => {
    const error = mapOpenAiError(apiError(status, openAiBody('oops', 'server_error', null)));
    expect(error.errorClass).toBe('server');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(status);
  });

  it('keeps Retry-After on an overloaded 503', () => {
    const error = mapOpenAiError(
      apiError(
        503,
        openAiBody('The server is overloaded', 'service_unavailable_error', 'server_is_overloaded'),
        { 'retry-after': '3' },
      ),
    );
    expect(error.message).toBe('OpenAI: server overloaded (503); try again later');
    expect(error.retryAfterMs).toBe(3000);
  });

  it('does not copy an HTML error page', () => {
    const error = mapOpenAiError(
      apiError(400, undefined, {}, '<html><body>Bad gateway config</body></html>'),
    );
    expect(error.errorClass).toBe('bad_request');
    expect(error.message).toBe('OpenAI: request refused (400)');
  });

  it('keeps messages short', () => {
    const error = mapOpenAiError(
      apiError(400, openAiBody('x'.repeat(5000), 'invalid_request_error', null)),
    );
    expect(error.message.length).toBeLessThanOrEqual(200);
  });

  it('maps connection failures to network with the socket code', () => {
    const cause = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    const error = mapOpenAiError(new APIConnectionError({ cause }), { provider: 'example.com' });
    expect(error.errorClass).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('example.com: connection failed (ECONNREFUSED)');
  });

  it('passes the outbound guard’s ProviderError through a connection error', () => {
    const blocked = new ProviderError({
      provider: 'example.com',
      errorClass: 'blocked_url',
      message: 'private address refused',
    });
    const error = mapOpenAiError(new APIConnectionError({ cause: blocked }));
    expect(error).toBe(blocked);
  });

  it('maps the outbound guard’s OutboundBlockedError to blocked_url', () => {
    const blocked = Object.assign(
      new Error('address not allowed (private or local network): 10.0.0.5'),
      { name: 'OutboundBlockedError', reason: 'private_address' },
    );
    const error = mapOpenAiError(new APIConnectionError({ cause: blocked }), {
      provider: '10.0.0.5',
    });
    expect(error.errorClass).toBe('blocked_url');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      '10.0.0.5: address not allowed (private or local network): 10.0.0.5',
    );
  });

  it('maps the SDK timeout to a retryable timeout', () => {
    const error = mapOpenAiError(new APIConnectionTimeoutError(), { timeoutMs: 30_000 });
    expect(error.errorClass).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('OpenAI: no answer after 30 s (timeout)');
  });

  it('maps our own abort to a timeout that is not retried', () => {
    const error = mapOpenAiError(new APIUserAbortError());
    expect(error.errorClass).toBe('timeout');
    expect(error.retryable).toBe(false);
  });

  it('maps SDK errors raised before a request to config', () => {
    const error = mapOpenAiError(new OpenAIError('Missing credentials.'));
    expect(error.errorClass).toBe('config');
  });

  it('returns a ProviderError unchanged', () => {
    const original = new ProviderError({ provider: 'OpenAI', errorClass: 'config', message: 'x' });
    expect(mapOpenAiError(original)).toBe(original);
  });

  it('maps anything else to a non-retryable server error without keys', () => {
    const error = mapOpenAiError(new Error(`boom Bearer ${KEY}`), { apiKey: KEY });
    expect(error.errorClass).toBe('server');
    expect(error.retryable).toBe(false);
    expect(visible(error)).not.toContain(KEY);
  });
});

describe('clean', () => {
  it('redacts key-like text and collapses whitespace', () => {
    expect(clean(`a\n  b sk-proj-abc123XYZ gsk_abcdefgh Bearer xyz`)).toBe(
      'a b [key] [key] Bearer [key]',
    );
  });

  it('redacts the given key even without a known prefix', () => {
    expect(clean('key is plainsecretvalue!', 'plainsecretvalue')).toBe('key is [key]!');
  });
});
