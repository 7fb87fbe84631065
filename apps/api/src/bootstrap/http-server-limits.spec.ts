import { describe, expect, it } from 'vitest';
import { httpServerOptions } from './http-server-limits';

const defaults = {
  HTTP_HEADERS_TIMEOUT_MS: 10_000,
  HTTP_REQUEST_TIMEOUT_MS: 30_000,
  HTTP_IDLE_TIMEOUT_MS: 120_000,
  HTTP_KEEP_ALIVE_TIMEOUT_MS: 72_000,
  HTTP_MAX_CONNECTIONS: 4_096,
  AI_RETRY_BUDGET_MS: 45_000,
};

describe('httpServerOptions', () => {
  it('passes the limits on, sweeping often enough for the header timeout', () => {
    expect(httpServerOptions(defaults)).toEqual({
      requestTimeout: 30_000,
      connectionTimeout: 120_000,
      keepAliveTimeout: 72_000,
      http: { headersTimeout: 10_000, connectionsCheckingInterval: 5_000 },
    });
    const short = httpServerOptions({
      ...defaults,
      HTTP_HEADERS_TIMEOUT_MS: 1_000,
      HTTP_REQUEST_TIMEOUT_MS: 1_500,
    });
    expect(short.http).toEqual({ headersTimeout: 1_000, connectionsCheckingInterval: 500 });
  });

  it('never lets the header timeout pass the request timeout', () => {
    const options = httpServerOptions({ ...defaults, HTTP_HEADERS_TIMEOUT_MS: 60_000 });
    expect(options.http.headersTimeout).toBe(30_000);
  });

  it('keeps the idle timeout above the test console wait for a provider', () => {
    const options = httpServerOptions({
      ...defaults,
      HTTP_IDLE_TIMEOUT_MS: 5_000,
      AI_RETRY_BUDGET_MS: 200_000,
    });
    expect(options.connectionTimeout).toBe(210_000);
  });
});
