import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error';
import { type FetchLike } from './provider.types';
import { cleanMessage, joinUrl, postJson } from './http-json';

const KEY = 'app-secret-key-1234567890';

function request(fetch: FetchLike, extra: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  return {
    provider: 'Dify',
    fetch,
    url: 'https://dify.example/v1/chat-messages',
    headers: { authorization: `Bearer ${KEY}` },
    body: { query: 'hi' },
    timeoutMs: extra.timeoutMs ?? 5_000,
    ...(extra.signal ? { signal: extra.signal } : {}),
  };
}

function replying(body: string, init: ResponseInit = {}): FetchLike {
  return () => Promise.resolve(new Response(body, init));
}

/** Never answers on its own: settles only when the request's signal aborts. */
const hanging: FetchLike = (_input, init) =>
  new Promise((_resolve, reject) => {
    const signal = init?.signal;
    signal?.addEventListener('abort', () => reject(signal.reason as Error));
  });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('postJson', () => {
  it('POSTs JSON without following redirects and parses the answer', async () => {
    let seen: RequestInit | undefined;
    const fetch: FetchLike = (_input, init) => {
      seen = init;
      return Promise.resolve(
        Response.json({ answer: 'ok' }, { status: 200, headers: { 'x-request-id': 'req-1' } }),
      );
    };
    const response = await postJson(request(fetch));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ answer: 'ok' });
    expect(response.headers.get('x-request-id')).toBe('req-1');
    expect(seen?.method).toBe('POST');
    expect(seen?.redirect).toBe('error');
    expect(seen?.body).toBe('{"query":"hi"}');
    expect(seen?.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: `Bearer ${KEY}`,
    });
    expect(seen?.signal).toBeInstanceOf(AbortSignal);
  });

  it('returns an error status with its JSON body for the provider to map', async () => {
    const response = await postJson(
      request(replying('{"code":"invalid_param","message":"bad"}', { status: 400 })),
    );
    expect(response).toMatchObject({ status: 400, body: { code: 'invalid_param' } });
  });

  it('returns a non-JSON error body as text', async () => {
    const response = await postJson(request(replying('<html>Bad Gateway</html>', { status: 502 })));
    expect(response).toMatchObject({ status: 502, body: '<html>Bad Gateway</html>' });
  });

  it('treats a 2xx body that is not JSON as a server error', async () => {
    const error = await failure(postJson(request(replying('<html>login</html>'))));
    expect(error).toMatchObject({ errorClass: 'server', status: 200, retryable: true });
    expect(error.message).toBe('Dify: answered 200 with a body that is not JSON');
  });

  it('treats an empty 2xx body as a server error', async () => {
    const error = await failure(postJson(request(replying(''))));
    expect(error.errorClass).toBe('server');
  });

  it('maps a refused connection to a retryable network error with its code', async () => {
    const fetch: FetchLike = () =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error(`connect ECONNREFUSED ${KEY}`), {
            code: 'ECONNREFUSED',
          }),
        }),
      );
    const error = await failure(postJson(request(fetch)));
    expect(error).toMatchObject({ errorClass: 'network', retryable: true });
    expect(error.message).toBe('Dify: connection failed (ECONNREFUSED)');
  });

  it('refuses a redirect without retrying', async () => {
    const fetch: FetchLike = () =>
      Promise.reject(new TypeError('fetch failed', { cause: new Error('unexpected redirect') }));
    const error = await failure(postJson(request(fetch)));
    expect(error).toMatchObject({ errorClass: 'network', retryable: false });
    expect(error.message).toContain('redirect');
  });

  it('times out a request that does not answer', async () => {
    const error = await failure(postJson(request(hanging, { timeoutMs: 30 })));
    expect(error).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(error.message).toBe('Dify: no answer within 30 ms');
  });

  it('times out a body that stalls after the headers', async () => {
    const fetch: FetchLike = (_input, init) => {
      const signal = init?.signal;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"answer":'));
          signal?.addEventListener('abort', () => controller.error(signal.reason));
        },
      });
      return Promise.resolve(new Response(stream, { status: 200 }));
    };
    const error = await failure(postJson(request(fetch, { timeoutMs: 30 })));
    expect(error.errorClass).toBe('timeout');
  });

  it("reports the caller's own cancellation as not retryable", async () => {
    const controller = new AbortController();
    const pending = failure(postJson(request(hanging, { signal: controller.signal })));
    controller.abort();
    const error = await pending;
    expect(error).toMatchObject({ errorClass: 'timeout', retryable: false });
    expect(error.message).toBe('Dify: request cancelled');
  });

  it("passes through a ProviderError thrown by the outbound guard's fetch", async () => {
    const blocked = new ProviderError({
      provider: 'Dify',
      errorClass: 'blocked_url',
      message: 'address not allowed',
    });
    const error = await failure(postJson(request(() => Promise.reject(blocked))));
    expect(error).toBe(blocked);
  });
});

describe('cleanMessage', () => {
  it('masks the key, flattens whitespace and bounds the length', () => {
    expect(cleanMessage(`Key ${KEY}\n is   invalid`, KEY, 'x')).toBe('Key *** is invalid');
    expect(cleanMessage('a'.repeat(500), KEY, 'x')).toHaveLength(200);
    expect(cleanMessage(undefined, KEY, 'HTTP 500')).toBe('HTTP 500');
    expect(cleanMessage('  ', KEY, 'HTTP 500')).toBe('HTTP 500');
  });
});

describe('joinUrl', () => {
  it('does not double slashes', () => {
    expect(joinUrl('https://api.dify.ai/v1/', '/chat-messages')).toBe(
      'https://api.dify.ai/v1/chat-messages',
    );
  });
});
