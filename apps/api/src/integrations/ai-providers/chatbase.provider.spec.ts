import { describe, expect, it } from 'vitest';
import { ProviderError } from './provider-error';
import {
  type ChatTurn,
  type ConversationMemory,
  type ConversationState,
  type FetchLike,
  type ProviderCall,
  type ProviderSettings,
} from './provider.types';
import {
  ChatbaseProvider,
  readV2Reply,
  trimHistory,
  V1_HISTORY_MAX_CHARS,
  V1_HISTORY_MAX_TURNS,
} from './chatbase.provider';

const KEY = 'cb-7e1f0c2d9a8b4c3d';

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
  text = 'What are your hours?',
): ProviderCall {
  return {
    input: { text, images: [] },
    settings: {
      apiKey: KEY,
      baseUrl: 'https://chatbase.example/api',
      agentId: 'agent-42',
      ...settings,
    },
    memory,
    user: 'kommo-31999001-4401',
    timeoutMs: 5_000,
  };
}

/** The sandbox's v2 non-streaming shape. */
function v2Message(text: string, conversationId = 'cb-conv-1') {
  return {
    data: {
      id: 'msg_1',
      role: 'assistant',
      parts: [{ type: 'text', text }],
      metadata: { conversationId, userId: 'kommo-31999001-4401', usage: { credits: 1 } },
    },
  };
}

function v2Error(status: number, code: string, message: string, headers?: Record<string, string>) {
  return { status, body: { error: { code, message } }, ...(headers ? { headers } : {}) };
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

describe('ChatbaseProvider v2', () => {
  it('starts a conversation with stream:false and userId, and returns its id to store', async () => {
    const { fetch, sent } = fakeFetch({
      body: v2Message('We open at 9.'),
      headers: { 'x-request-id': 'req-9' },
    });
    const memory = new MemoryStub();
    const answer = await new ChatbaseProvider({ fetch }).complete(makeCall(memory));

    expect(answer).toEqual({
      text: 'We open at 9.',
      model: 'chatbase',
      requestId: 'req-9',
      memory: { conversationId: 'cb-conv-1' },
    });
    expect(sent[0]?.url).toBe('https://chatbase.example/api/v2/agents/agent-42/chat');
    expect(sent[0]?.init.headers).toMatchObject({ authorization: `Bearer ${KEY}` });
    expect(sent[0]?.body).toEqual({
      message: 'What are your hours?',
      userId: 'kommo-31999001-4401',
      stream: false,
    });
    // Returned, not saved: the pipeline stores it in the statement that stores the outcome.
    expect(memory.saves).toEqual([]);
  });

  it('continues the stored conversation without re-binding the user', async () => {
    const { fetch, sent } = fakeFetch({ body: v2Message('Until 18.') });
    const memory = new MemoryStub({ conversationId: 'cb-conv-1' });
    await new ChatbaseProvider({ fetch }).complete(makeCall(memory, { apiVersion: 'v2' }));
    expect(sent[0]?.body).toEqual({
      message: 'What are your hours?',
      conversationId: 'cb-conv-1',
      stream: false,
    });
    expect(memory.saves).toEqual([]);
  });

  it.each([
    v2Error(404, 'RESOURCE_NOT_FOUND', 'Conversation not found.'),
    v2Error(400, 'CHAT_CONVERSATION_MISMATCH', 'The conversation does not belong to the agent.'),
  ])('starts a new conversation once after %j', async (lost) => {
    const { fetch, sent } = fakeFetch(lost, { body: v2Message('Hi again.', 'cb-conv-2') });
    const memory = new MemoryStub({ conversationId: 'cb-conv-old' });
    const answer = await new ChatbaseProvider({ fetch }).complete(makeCall(memory));
    expect(answer.text).toBe('Hi again.');
    expect(sent.map((call) => call.body.conversationId)).toEqual(['cb-conv-old', undefined]);
    expect(sent[1]?.body.userId).toBe('kommo-31999001-4401');
    expect(memory.state).toEqual({});
    expect(answer.memory).toEqual({ conversationId: 'cb-conv-2' });
  });

  it('does not start a new conversation when the agent itself is missing', async () => {
    const { fetch, sent } = fakeFetch(v2Error(404, 'AGENT_NOT_FOUND', 'Agent not found.'));
    const memory = new MemoryStub({ conversationId: 'cb-conv-1' });
    const error = await failure(new ChatbaseProvider({ fetch }).complete(makeCall(memory)));
    expect(error).toMatchObject({ errorClass: 'not_found', code: 'AGENT_NOT_FOUND' });
    expect(error.message).toBe('Chatbase: Agent not found.');
    expect(sent).toHaveLength(1);
    expect(memory.state).toEqual({ conversationId: 'cb-conv-1' });
  });

  it.each([
    [v2Error(402, 'CHAT_CREDITS_EXHAUSTED', 'Credit balance is zero.'), 'billing', false],
    [v2Error(402, 'CHAT_AGENT_CREDITS_EXHAUSTED', 'Agent credits used up.'), 'billing', false],
    [v2Error(403, 'SUBSCRIPTION_PLAN_REQUIRED', 'Upgrade.'), 'billing', false],
    [v2Error(429, 'CHAT_CREDITS_EXHAUSTED', 'Credit balance is zero.'), 'billing', false],
    [v2Error(401, 'AUTH_INVALID_API_KEY', 'The API key is not valid.'), 'auth', false],
    [v2Error(401, 'AUTH_EXPIRED_API_KEY', 'Expired.'), 'auth', false],
    [v2Error(403, 'AUTH_INSUFFICIENT_PERMISSIONS', 'No permission.'), 'auth', false],
    [v2Error(403, 'CHAT_MODEL_NOT_ALLOWED', 'Model not on plan.'), 'bad_request', false],
    [v2Error(400, 'VALIDATION_INVALID_BODY', 'Invalid request body.'), 'bad_request', false],
    [v2Error(422, 'SOMETHING_NEW', 'Hm.'), 'bad_request', false],
    [v2Error(404, 'RESOURCE_NOT_FOUND', 'Not found.'), 'not_found', false],
    [v2Error(500, 'INTERNAL_SERVER_ERROR', 'Unexpected.'), 'server', true],
    [{ status: 503, body: 'Service Unavailable' }, 'server', true],
  ] as const)('maps %j to %s', async (reply, errorClass, retryable) => {
    const { fetch } = fakeFetch(reply);
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(new MemoryStub())),
    );
    expect(error).toMatchObject({ errorClass, retryable, status: reply.status });
  });

  it('maps a 429 to a rate limit with its Retry-After', async () => {
    const { fetch } = fakeFetch(
      v2Error(429, 'RATE_LIMIT_TOO_MANY_REQUESTS', 'Rate limit exceeded.', { 'retry-after': '2' }),
    );
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(new MemoryStub())),
    );
    expect(error).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 2000 });
    expect(error.message).toBe('Chatbase: Rate limit exceeded.');
  });

  it('says "invalid API key" for a 401 and never shows the key', async () => {
    const { fetch } = fakeFetch(v2Error(401, 'AUTH_INVALID_API_KEY', `Key ${KEY} is not valid.`));
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(new MemoryStub())),
    );
    expect(error.message).toBe('Chatbase: invalid API key');
    const { fetch: echoing } = fakeFetch(v2Error(400, 'VALIDATION_X', `bad ${KEY}`));
    const echoed = await failure(
      new ChatbaseProvider({ fetch: echoing }).complete(makeCall(new MemoryStub())),
    );
    expect(echoed.message).not.toContain(KEY);
  });

  it('requires an agent id', async () => {
    const { fetch, sent } = fakeFetch({ body: v2Message('x') });
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(new MemoryStub(), { agentId: '' })),
    );
    expect(error).toMatchObject({ errorClass: 'config', retryable: false });
    expect(sent).toHaveLength(0);
  });

  it('treats a reply without text as empty_answer', async () => {
    const { fetch } = fakeFetch({ body: v2Message('') });
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(new MemoryStub())),
    );
    expect(error.errorClass).toBe('empty_answer');
  });
});

describe('readV2Reply', () => {
  it('reads the UI-message shape', () => {
    expect(readV2Reply(v2Message('Hello'))).toEqual({
      text: 'Hello',
      conversationId: 'cb-conv-1',
    });
  });

  it('joins several text parts and skips others', () => {
    const body = {
      data: {
        parts: [
          { type: 'text', text: 'Hel' },
          { type: 'tool-call', toolName: 'x' },
          { type: 'text', text: 'lo' },
        ],
        metadata: { conversationId: 'c' },
      },
    };
    expect(readV2Reply(body)).toEqual({ text: 'Hello', conversationId: 'c' });
  });

  it('accepts a flat shape with a top-level conversationId', () => {
    expect(readV2Reply({ text: 'Hi', conversationId: 'c2', messageId: 'm' })).toEqual({
      text: 'Hi',
      conversationId: 'c2',
    });
    expect(readV2Reply({ data: { message: 'Yo', conversationId: 'c3' } })).toEqual({
      text: 'Yo',
      conversationId: 'c3',
    });
  });
});

describe('ChatbaseProvider v1', () => {
  it('sends the stored history plus the question and stores the new turns', async () => {
    const { fetch, sent } = fakeFetch({ body: { text: 'Until 18.' } });
    const history: ChatTurn[] = [
      { role: 'user', content: 'What are your hours?' },
      { role: 'assistant', content: 'We open at 9.' },
    ];
    const memory = new MemoryStub({ history });
    const answer = await new ChatbaseProvider({ fetch }).complete(
      makeCall(memory, { apiVersion: 'v1', agentId: 'bot-7' }, 'And closing?'),
    );

    expect(answer).toMatchObject({ text: 'Until 18.', model: 'chatbase' });
    expect(sent[0]?.url).toBe('https://chatbase.example/api/v1/chat');
    expect(sent[0]?.body).toEqual({
      chatbotId: 'bot-7',
      messages: [...history, { role: 'user', content: 'And closing?' }],
      conversationId: 'kommo-31999001-4401',
      stream: false,
    });
    expect(answer.memory?.history).toEqual([
      ...history,
      { role: 'user', content: 'And closing?' },
      { role: 'assistant', content: 'Until 18.' },
    ]);
    expect(memory.saves).toEqual([]);
  });

  it('does not store a turn that failed', async () => {
    const { fetch } = fakeFetch({ status: 500, body: { message: 'Unexpected.' } });
    const memory = new MemoryStub({ history: [] });
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(memory, { apiVersion: 'v1' })),
    );
    expect(error).toMatchObject({ errorClass: 'server', message: 'Chatbase: Unexpected.' });
    expect(memory.saves).toEqual([]);
  });

  it.each([
    [402, 'billing'],
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not_found'],
    [400, 'bad_request'],
    [429, 'rate_limit'],
    [500, 'server'],
  ] as const)('maps a v1 %d {message} to %s', async (status, errorClass) => {
    const { fetch } = fakeFetch({ status, body: { message: 'Something.' } });
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(new MemoryStub(), { apiVersion: 'v1' })),
    );
    expect(error.errorClass).toBe(errorClass);
  });

  it('treats an empty text as empty_answer and keeps the history as it was', async () => {
    const { fetch } = fakeFetch({ body: { text: '' } });
    const memory = new MemoryStub({ history: [] });
    const error = await failure(
      new ChatbaseProvider({ fetch }).complete(makeCall(memory, { apiVersion: 'v1' })),
    );
    expect(error.errorClass).toBe('empty_answer');
    expect(memory.saves).toEqual([]);
  });
});

describe('trimHistory', () => {
  const turn = (index: number, content = `m${index}`): ChatTurn => ({
    role: index % 2 === 0 ? 'user' : 'assistant',
    content,
  });

  it(`keeps the last ${V1_HISTORY_MAX_TURNS} turns`, () => {
    const turns = Array.from({ length: 30 }, (_, index) => turn(index));
    const kept = trimHistory(turns);
    expect(kept).toHaveLength(V1_HISTORY_MAX_TURNS);
    expect(kept[0]).toEqual(turn(10));
  });

  it(`keeps at most ${V1_HISTORY_MAX_CHARS} characters, starting on a user turn`, () => {
    const big = 'x'.repeat(9_000);
    const turns = [turn(0, big), turn(1, big), turn(2, big), turn(3, 'short')];
    const kept = trimHistory(turns);
    expect(kept).toEqual([turn(2, big), turn(3, 'short')]);
  });

  it('can drop everything when the last exchange alone is too long', () => {
    const huge = 'x'.repeat(V1_HISTORY_MAX_CHARS + 1);
    expect(trimHistory([turn(0, 'q'), turn(1, huge)])).toEqual([]);
  });
});
