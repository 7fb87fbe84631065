import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error';
import {
  type ConversationMemory,
  type ConversationState,
  type FetchLike,
  type ProviderCall,
  type ProviderSettings,
} from './provider.types';
import { DifyProvider } from './dify.provider';

const KEY = 'app-3f9a8b7c6d5e4f3a2b1c';

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> };
type Sent = { url: string; init: RequestInit; body: Record<string, unknown> };

/** Answers the queued replies in order (the last one repeats) and records what was sent. */
function fakeFetch(...replies: Reply[]): { fetch: FetchLike; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: FetchLike = (input, init = {}) => {
    const reply = replies[sent.length] ?? replies.at(-1) ?? {};
    sent.push({
      url: String(input),
      init,
      body: JSON.parse(init.body as string) as Record<string, unknown>,
    });
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    return Promise.resolve(
      new Response(text, {
        status: reply.status ?? 200,
        headers: { 'content-type': 'application/json', ...reply.headers },
      }),
    );
  };
  return { fetch, sent };
}

class MemoryStub implements ConversationMemory {
  saves: ConversationState[] = [];
  constructor(public state: ConversationState = {}) {}
  load(): Promise<ConversationState> {
    return Promise.resolve(structuredClone(this.state));
  }
  save(state: ConversationState): Promise<void> {
    this.saves.push(state);
    this.state = structuredClone(state);
    return Promise.resolve();
  }
}

function makeCall(
  memory: ConversationMemory,
  settings: Partial<ProviderSettings> = {},
  text = 'Do you ship to Recife?',
): ProviderCall {
  return {
    input: {
      text,
      images: [{ dataUrl: 'data:image/png;base64,iVBORw0KGgo=', mimeType: 'image/png' }],
    },
    settings: { apiKey: KEY, baseUrl: 'https://dify.example/v1/', ...settings },
    memory,
    user: 'kommo-31999001-4401',
    timeoutMs: 5_000,
  };
}

function message(answer: string, conversationId = 'conv-1') {
  return {
    event: 'message',
    message_id: 'msg-1',
    conversation_id: conversationId,
    mode: 'chat',
    answer,
    metadata: { usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
  };
}

function difyError(status: number, code: string, text: string): Reply {
  return { status, body: { status, code, message: text } };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError');
}

describe('DifyProvider', () => {
  it('sends a blocking chat message and returns the new conversation id to store', async () => {
    const { fetch, sent } = fakeFetch({ body: message('Yes, we do.') });
    const memory = new MemoryStub();
    const answer = await new DifyProvider({ fetch }).complete(makeCall(memory));

    expect(answer).toEqual({
      text: 'Yes, we do.',
      model: 'dify',
      usage: { inputTokens: 12, outputTokens: 5, totalTokens: 17 },
      requestId: 'msg-1',
      memory: { conversationId: 'conv-1' },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://dify.example/v1/chat-messages');
    expect(sent[0]?.init.headers).toMatchObject({ authorization: `Bearer ${KEY}` });
    // No conversation yet: none sent; images cannot be uploaded to Dify here, so none are sent.
    expect(sent[0]?.body).toEqual({
      inputs: {},
      query: 'Do you ship to Recife?',
      response_mode: 'blocking',
      user: 'kommo-31999001-4401',
    });
    // Returned, not saved: the pipeline stores it in the statement that stores the outcome.
    expect(memory.saves).toEqual([]);
  });

  it('continues the stored conversation and does not re-save an unchanged id', async () => {
    const { fetch, sent } = fakeFetch({ body: message('Still yes.') });
    const memory = new MemoryStub({ conversationId: 'conv-1' });
    const answer = await new DifyProvider({ fetch }).complete(makeCall(memory, { model: 'gpt-x' }));
    expect(answer.model).toBe('gpt-x');
    expect(answer.memory).toBeUndefined();
    expect(sent[0]?.body.conversation_id).toBe('conv-1');
    expect(memory.saves).toEqual([]);
  });

  it('starts a new conversation once when Dify lost the stored one', async () => {
    const { fetch, sent } = fakeFetch(difyError(404, 'not_found', 'Conversation Not Exists.'), {
      body: message('Hello again.', 'conv-2'),
    });
    const memory = new MemoryStub({ conversationId: 'conv-gone', history: [] });
    const answer = await new DifyProvider({ fetch }).complete(makeCall(memory));

    expect(answer.text).toBe('Hello again.');
    expect(sent.map((call) => call.body.conversation_id)).toEqual(['conv-gone', undefined]);
    expect(memory.saves).toEqual([{ history: [] }]);
    expect(answer.memory).toEqual({ history: [], conversationId: 'conv-2' });
  });

  it('leaves the lost id cleared when the new conversation fails too', async () => {
    const { fetch, sent } = fakeFetch(
      difyError(404, 'not_found', 'Conversation Not Exists.'),
      difyError(500, 'internal_server_error', 'boom'),
    );
    const memory = new MemoryStub({ conversationId: 'conv-gone' });
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(memory)));
    expect(error.errorClass).toBe('server');
    expect(sent).toHaveLength(2);
    expect(memory.state).toEqual({});
  });

  it('does not retry a 404 that is not about the conversation', async () => {
    const { fetch, sent } = fakeFetch(
      difyError(404, 'not_found', 'The requested URL was not found on the server.'),
    );
    const memory = new MemoryStub({ conversationId: 'conv-1' });
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(memory)));
    expect(error).toMatchObject({ errorClass: 'not_found', status: 404, retryable: false });
    expect(sent).toHaveLength(1);
    expect(memory.saves).toEqual([]);
  });

  it.each([
    [difyError(401, 'unauthorized', 'Access token is invalid'), 'auth', false, 'invalid API key'],
    [
      difyError(403, 'workflow_version_execution_not_allowed', 'Not allowed'),
      'auth',
      false,
      'Not allowed',
    ],
    [
      difyError(
        400,
        'provider_quota_exceeded',
        'Your quota for Dify Hosted Model Provider has been exhausted.',
      ),
      'billing',
      false,
      'Your quota for Dify Hosted Model Provider has been exhausted.',
    ],
    [
      difyError(400, 'invalid_param', 'query is required'),
      'bad_request',
      false,
      'query is required',
    ],
    [
      difyError(400, 'app_unavailable', 'App unavailable.'),
      'bad_request',
      false,
      'App unavailable.',
    ],
    [
      difyError(400, 'provider_not_initialize', 'No credentials.'),
      'bad_request',
      false,
      'No credentials.',
    ],
    [
      difyError(400, 'model_currently_not_support', 'Not supported.'),
      'bad_request',
      false,
      'Not supported.',
    ],
    [
      difyError(400, 'completion_request_error', 'Upstream failed.'),
      'bad_request',
      false,
      'Upstream failed.',
    ],
    [
      difyError(429, 'rate_limit_error', 'Workspace quota exhausted.'),
      'billing',
      false,
      'Workspace quota exhausted.',
    ],
    [difyError(500, 'internal_server_error', 'Oops.'), 'server', true, 'Oops.'],
    [{ status: 502, body: '<html>Bad Gateway</html>' }, 'server', true, 'HTTP 502'],
  ] as const)('maps %j to %s', async (reply, errorClass, retryable, text) => {
    const { fetch } = fakeFetch(reply);
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(new MemoryStub())));
    expect(error).toMatchObject({ errorClass, retryable, status: reply.status });
    expect(error.message).toBe(`Dify: ${text}`);
  });

  it('keeps the error code', async () => {
    const { fetch } = fakeFetch(difyError(400, 'provider_quota_exceeded', 'Exhausted.'));
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(new MemoryStub())));
    expect(error.code).toBe('provider_quota_exceeded');
  });

  it('maps too_many_requests to a rate limit with its Retry-After', async () => {
    const { fetch } = fakeFetch({
      ...difyError(429, 'too_many_requests', 'Too many requests.'),
      headers: { 'retry-after': '3' },
    });
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(new MemoryStub())));
    expect(error).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 3000 });
  });

  it('never puts the key in a message, even when Dify echoes it', async () => {
    const { fetch } = fakeFetch(difyError(400, 'invalid_param', `bad key ${KEY} here`));
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(new MemoryStub())));
    expect(error.message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it('treats a blank answer as empty_answer but keeps the conversation', async () => {
    const { fetch } = fakeFetch({ body: message('  ') });
    const memory = new MemoryStub();
    const error = await failure(new DifyProvider({ fetch }).complete(makeCall(memory)));
    expect(error.errorClass).toBe('empty_answer');
    expect(memory.state).toEqual({ conversationId: 'conv-1' });
  });

  it('refuses before calling when there is no key or no text', async () => {
    const { fetch, sent } = fakeFetch({ body: message('x') });
    const provider = new DifyProvider({ fetch });
    const noKey = await failure(provider.complete(makeCall(new MemoryStub(), { apiKey: '' })));
    expect(noKey.errorClass).toBe('config');
    const noText = await failure(provider.complete(makeCall(new MemoryStub(), {}, '  ')));
    expect(noText.errorClass).toBe('bad_request');
    expect(sent).toHaveLength(0);
  });
});
