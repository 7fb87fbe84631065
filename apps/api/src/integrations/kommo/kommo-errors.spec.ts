import { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  asBlocked,
  KommoApiError,
  kommoErrorFromAxios,
  kommoErrorFromResponse,
} from './kommo-errors';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.secret-access-token';
const label = { method: 'PATCH', path: '/api/v4/leads/7' };

function axiosFailure(
  response?: { status: number; data?: unknown; headers?: Record<string, string> },
  code?: string,
): AxiosError {
  const config = {
    headers: new AxiosHeaders({ Authorization: `Bearer ${TOKEN}` }),
    url: 'https://acme.kommo.com/api/v4/leads/7',
    method: 'patch',
    data: JSON.stringify({ refresh_token: TOKEN }),
  } as InternalAxiosRequestConfig;
  return new AxiosError(
    response ? `Request failed with status code ${response.status}` : 'connect ECONNREFUSED',
    code,
    config,
    {},
    response && {
      status: response.status,
      statusText: '',
      headers: new AxiosHeaders(response.headers ?? {}),
      config,
      data: response.data,
    },
  );
}

describe('kommoErrorFromResponse', () => {
  it('reads a problem+json validation error with its validation-errors', () => {
    const error = kommoErrorFromResponse(
      {
        status: 400,
        data: {
          'validation-errors': [
            {
              request_id: '0',
              errors: [
                {
                  code: 'TooLong',
                  path: 'custom_fields_values.0.values.0.value',
                  detail: 'This value is too long.',
                },
              ],
            },
          ],
          title: 'Bad Request',
          type: 'https://httpstatus.es/400',
          status: 400,
          detail: 'Request validation failed',
        },
      },
      label,
    );
    expect(error).toBeInstanceOf(KommoApiError);
    expect(error).toMatchObject({
      kind: 'validation',
      status: 400,
      retryable: false,
      detail: 'Request validation failed',
      validationErrors: [
        {
          request_id: '0',
          errors: [
            {
              code: 'TooLong',
              path: 'custom_fields_values.0.values.0.value',
              detail: 'This value is too long.',
            },
          ],
        },
      ],
    });
    expect(error.message).toContain('PATCH /api/v4/leads/7');
    expect(error.message).toContain('custom_fields_values.0.values.0.value TooLong');
  });

  it.each([
    [401, 'auth', false],
    [402, 'payment', false],
    [403, 'forbidden', false],
    [404, 'not_found', false],
    [405, 'validation', false],
    [422, 'validation', false],
    [500, 'server', true],
    [502, 'server', true],
    [504, 'server', true],
  ] as const)('maps %i to %s (retryable %s)', (status, kind, retryable) => {
    const error = kommoErrorFromResponse({
      status,
      data: { title: 'x', status, detail: `detail ${status}` },
    });
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.detail).toBe(`detail ${status}`);
    expect(error.retryAfterMs).toBeUndefined();
  });

  it("reads Kommo's rate block (403 saying too many requests) as retryable, a permission 403 as final", () => {
    const block = kommoErrorFromResponse({
      status: 403,
      data: {
        title: 'Forbidden',
        status: 403,
        detail: 'Access denied: too many requests, the account is temporarily blocked',
      },
    });
    expect(block).toMatchObject({ kind: 'blocked', retryable: true, retryAfterMs: 5_000 });
    const plain = kommoErrorFromResponse({ status: 403, data: 'Too Many Requests' });
    expect(plain).toMatchObject({ kind: 'blocked', retryable: true });
    const timed = kommoErrorFromResponse({
      status: 403,
      headers: { 'Retry-After': '20' },
      data: { title: 'Forbidden', detail: 'Rate limit exceeded' },
    });
    expect(timed.retryAfterMs).toBe(20_000);
    const rights = kommoErrorFromResponse({
      status: 403,
      data: { title: 'Forbidden', status: 403, detail: 'Access denied' },
    });
    expect(rights).toMatchObject({ kind: 'forbidden', retryable: false });
    expect(asBlocked(rights)).toMatchObject({ kind: 'blocked', retryable: true, status: 403 });
  });

  it('takes retry_after (seconds) from a 429 body', () => {
    const error = kommoErrorFromResponse({
      status: 429,
      headers: { 'retry-after': '2' },
      data: { title: 'Too Many Requests', status: 429, detail: 'slow down', retry_after: 300 },
    });
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 300_000 });
  });

  it('takes Retry-After from the header when a 429 body is not JSON', () => {
    const error = kommoErrorFromResponse({
      status: 429,
      headers: { 'retry-after': '7' },
      data: '<html><body>Too many requests</body></html>',
    });
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 7_000 });
    expect(error.detail).toBe('<html><body>Too many requests</body></html>');
  });

  it('reads Retry-After as an HTTP date and defaults to 1 s without any hint', () => {
    const at = new Date(Date.now() + 5_000).toUTCString();
    const dated = kommoErrorFromResponse({ status: 429, headers: { 'retry-after': at }, data: '' });
    expect(dated.retryAfterMs).toBeGreaterThan(3_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(5_000);
    expect(kommoErrorFromResponse({ status: 429, data: 'Too many' }).retryAfterMs).toBe(1_000);
  });

  it('parses a JSON body that arrived as a string', () => {
    const error = kommoErrorFromResponse({
      status: 500,
      data: JSON.stringify({ title: 'ErrInternalServer', detail: 'boom', trace_id: 'abc' }),
    });
    expect(error).toMatchObject({ kind: 'server', retryable: true, detail: 'boom' });
  });

  it('uses the OAuth hint and falls back to the status when there is no text', () => {
    expect(
      kommoErrorFromResponse({
        status: 400,
        data: { hint: 'Invalid refresh token', title: 'Bad request', detail: 'missing params' },
      }).detail,
    ).toBe('Invalid refresh token');
    expect(kommoErrorFromResponse({ status: 503 }).detail).toBe('HTTP 503');
  });
});

describe('kommoErrorFromAxios', () => {
  it('keeps status and body but nothing of the request config', () => {
    const error = kommoErrorFromAxios(
      axiosFailure({ status: 401, data: { status: 401, detail: 'Invalid user name or password' } }),
      label,
    );
    expect(error).toMatchObject({ kind: 'auth', status: 401, retryable: false });
    const dumped = [error.message, error.stack, JSON.stringify(error), inspect(error)].join(' ');
    expect(dumped).not.toContain(TOKEN);
    expect(dumped).not.toContain('Authorization');
    expect(Object.keys(error)).not.toContain('config');
    expect(error.cause).toBeUndefined();
  });

  it('maps a timeout to a retryable network error naming the timeout', () => {
    const error = kommoErrorFromAxios(axiosFailure(undefined, 'ECONNABORTED'), label, 15_000);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.status).toBeUndefined();
    expect(error.message).toBe('Kommo PATCH /api/v4/leads/7: no answer within 15000 ms');
  });

  it('maps a refused connection to a retryable network error', () => {
    const error = kommoErrorFromAxios(axiosFailure(undefined, 'ECONNREFUSED'), label);
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it('maps a 429 without a JSON body through the response headers', () => {
    const error = kommoErrorFromAxios(
      axiosFailure({ status: 429, data: 'Too Many Requests', headers: { 'Retry-After': '3' } }),
    );
    expect(error).toMatchObject({ kind: 'rate_limit', retryable: true, retryAfterMs: 3_000 });
  });
});
