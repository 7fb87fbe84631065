import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { buildSandbox, type Sandbox } from '../../src/server.js';
import { type SandboxOptions } from '../../src/context.js';
import { type CallRecord } from '../../src/ai/state.js';

export type Reply = { status: number; headers: Headers; body: unknown };

/** Starts one sandbox for a test file, resets the AI fakes before each test. */
export function useSandbox(options: SandboxOptions = {}) {
  const sandbox: Sandbox = buildSandbox(options);
  const handle = { base: '', sandbox };

  beforeAll(async () => {
    handle.base = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => sandbox.app.close());
  beforeEach(async () => {
    await request(handle.base, 'POST', '/_sandbox/ai/reset');
  });
  return handle;
}

export async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  key?: string | null,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (key) headers.authorization = `Bearer ${key}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers stay strings
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export const OPENAI_KEY = 'sk-test-abc123';
export const DIFY_KEY = 'app-test-abc123';
export const CHATBASE_KEY = 'cb-test-abc123';

/** A client bound to one sandbox base URL. */
export function client(handle: { base: string }) {
  return {
    openai: (path: string, body?: unknown, key: string | null = OPENAI_KEY, method = 'POST') =>
      request(handle.base, method, `/openai/v1${path}`, body, key),
    dify: (body: unknown, key: string | null = DIFY_KEY) =>
      request(handle.base, 'POST', '/dify/v1/chat-messages', body, key),
    chatbase: (path: string, body: unknown, key: string | null = CHATBASE_KEY) =>
      request(handle.base, 'POST', `/chatbase/api${path}`, body, key),
    control: (method: string, path: string, body?: unknown) =>
      request(handle.base, method, `/_sandbox/ai${path}`, body),
    script: async (target: string, script: unknown) => {
      const reply = await request(
        handle.base,
        'PUT',
        `/_sandbox/ai/scripts/${encodeURIComponent(target)}`,
        script,
      );
      if (reply.status !== 200) throw new Error(`script rejected: ${JSON.stringify(reply.body)}`);
      return reply;
    },
    calls: async (query = '') =>
      field<CallRecord[]>(
        (await request(handle.base, 'GET', `/_sandbox/ai/calls${query}`)).body,
        'calls',
      ),
  };
}

export function chatBody(text: string, extra: Record<string, unknown> = {}) {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...extra };
}

/** Reads a dotted path (`data.parts.0.text`) out of a JSON body. */
export function field<T = string>(body: unknown, path: string): T {
  let value: unknown = body;
  for (const part of path.split('.')) {
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[part]
        : undefined;
  }
  return value as T;
}

// Typed stand-ins for asymmetric matchers (vitest types them as `any`).
export const anyNumber: unknown = expect.any(Number);
export const anyArray: unknown = expect.any(Array);
