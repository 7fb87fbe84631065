import { buildSandbox, type Sandbox } from '../../src/server.js';

export type Harness = Sandbox & {
  base: string;
  /** JSON call to the control API (`/_sandbox{path}`); the body is typed by the caller. */
  control: <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; body: T }>;
  /** A request to the sandbox with an optional Bearer token and JSON body. */
  call: (
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ) => Promise<Response>;
  close: () => Promise<void>;
};

/**
 * Starts a sandbox on a random port. The rate limiter is off unless `rateLimit` is true, so
 * tests that make many calls in a row do not trip it by accident.
 */
export async function startSandbox(
  options: Parameters<typeof buildSandbox>[0] & { rateLimit?: boolean } = {},
): Promise<Harness> {
  const sandbox = buildSandbox(options);
  if (!options.rateLimit) sandbox.context.kommo.updateSettings({ rateLimit: { enabled: false } });
  const base = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
  const call: Harness['call'] = (method, path, opts = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
  const control: Harness['control'] = async <T>(method: string, path: string, body?: unknown) => {
    const response = await call(method, `/_sandbox${path}`, body === undefined ? {} : { body });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return { ...sandbox, base, call, control, close: () => sandbox.app.close() };
}

/** An account's API call (`/a/{subdomain}{path}`) with its Bearer token. */
export function accountApi(
  h: Harness,
  account: TestAccount,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return h.call(method, `${account.prefix}${path}`, {
    token: account.token,
    ...(body === undefined ? {} : { body }),
  });
}

export type TestAccount = {
  accountId: number;
  subdomain: string;
  host: string;
  token: string;
  refresh: string;
  /** `/a/{subdomain}`: put in front of API paths. */
  prefix: string;
};

/** An account plus a fresh token pair for its current user (an admin unless told otherwise). */
export async function accountWithToken(
  h: Harness,
  input: Record<string, unknown> = { subdomain: 'acme' },
): Promise<TestAccount> {
  const account = await h.control<{ id: number; subdomain: string; host: string }>(
    'POST',
    '/accounts',
    input,
  );
  if (account.status !== 201) throw new Error(`account: ${JSON.stringify(account.body)}`);
  const tokens = await h.control<{ access_token: string; refresh_token: string }>(
    'POST',
    `/accounts/${account.body.id}/tokens`,
  );
  return {
    accountId: account.body.id,
    subdomain: account.body.subdomain,
    host: account.body.host,
    token: tokens.body.access_token,
    refresh: tokens.body.refresh_token,
    prefix: `/a/${account.body.subdomain}`,
  };
}

/** Kommo's problem+json body. */
export type ProblemBody = {
  title: string;
  type: string;
  status: number;
  detail: string;
  retry_after?: number;
  'validation-errors'?: {
    request_id: string;
    errors: { code: string; path: string; detail: string }[];
  }[];
};

/** A tiny HTTP server standing in for our backend: records every request it gets. */
export async function startReceiver(options: { delayMs?: number; status?: number } = {}): Promise<{
  url: string;
  hits: { url: URL; headers: Record<string, unknown> }[];
  close: () => Promise<void>;
}> {
  const { createServer } = await import('node:http');
  const hits: { url: URL; headers: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    hits.push({
      url: new URL(request.url ?? '/', 'http://receiver'),
      headers: { ...request.headers },
    });
    setTimeout(() => response.writeHead(options.status ?? 200).end('ok'), options.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A GET through node:http, which (unlike fetch) lets a test set the Host header. */
export async function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'GET', headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
