import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/integrations/ai-providers/provider-error';
import {
  type ConversationMemory,
  type ConversationState,
  type ProviderCall,
} from '../../../src/integrations/ai-providers/provider.types';
import { DifyProvider } from '../../../src/integrations/ai-providers/dify.provider';
import { SandboxProcess } from '../../support/sandbox';
import { storingMemory } from '../../support/stored-memory';

/** What the sandbox's AI call log records per request (the parts these tests read). */
type AiCall = {
  endpoint: string;
  key: string | null;
  body: Record<string, unknown>;
  status: number | null;
  failure: string | null;
  answer: string | null;
};
type ServerConversation = { id: string; owner: string; user: string | null; turns: unknown[] };

class MemoryStub implements ConversationMemory {
  constructor(public state: ConversationState = {}) {}
  load(): Promise<ConversationState> {
    return Promise.resolve(structuredClone(this.state));
  }
  save(state: ConversationState): Promise<void> {
    this.state = structuredClone(state);
    return Promise.resolve();
  }
}

const KEY = 'app-test-int-dify-1';
const USER = 'kommo-31999001-4401';

let sandbox: SandboxProcess;
let provider: DifyProvider;

function makeCall(
  memory: ConversationMemory,
  text: string,
  extra: Partial<Pick<ProviderCall, 'user' | 'timeoutMs'>> & { apiKey?: string } = {},
): ProviderCall {
  return {
    input: {
      text,
      images: [{ dataUrl: 'data:image/png;base64,iVBORw0KGgo=', mimeType: 'image/png' }],
    },
    settings: { apiKey: extra.apiKey ?? KEY, baseUrl: `${sandbox.url}/dify/v1` },
    memory,
    user: extra.user ?? USER,
    timeoutMs: extra.timeoutMs ?? 5_000,
  };
}

function script(target: string, body: unknown): Promise<unknown> {
  return sandbox.call('PUT', `/_sandbox/ai/scripts/${encodeURIComponent(target)}`, body);
}

async function difyCalls(): Promise<AiCall[]> {
  return (await sandbox.call<{ calls: AiCall[] }>('GET', '/_sandbox/ai/calls?provider=dify')).calls;
}

async function difyConversations(): Promise<ServerConversation[]> {
  return (await sandbox.call<{ dify: ServerConversation[] }>('GET', '/_sandbox/ai/conversations'))
    .dify;
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

beforeAll(async () => {
  sandbox = await SandboxProcess.start();
  provider = storingMemory(new DifyProvider({ fetch: globalThis.fetch }));
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.call('POST', '/_sandbox/ai/reset');
});

describe('DifyProvider against the sandbox', () => {
  it('answers, saves the conversation id and continues it on turn 2', async () => {
    await script(KEY, { answer: { mode: 'fixed', text: 'turn {{turn}}: {{last}}' } });
    const memory = new MemoryStub();

    const first = await provider.complete(makeCall(memory, 'Hello'));
    expect(first.text).toBe('turn 1: Hello');
    expect(first.model).toBe('dify');
    expect(first.usage).toMatchObject({ inputTokens: expect.any(Number) as number });
    const conversationId = memory.state.conversationId;
    expect(conversationId).toEqual(expect.any(String));

    const second = await provider.complete(makeCall(memory, 'Price?'));
    expect(second.text).toBe('turn 2: Price?');
    expect(memory.state.conversationId).toBe(conversationId);

    const calls = await difyCalls();
    expect(calls.map((call) => call.status)).toEqual([200, 200]);
    expect(calls[0]?.body).toEqual({
      inputs: {},
      query: 'Hello',
      response_mode: 'blocking',
      user: USER,
    });
    expect(calls[1]?.body).toMatchObject({ conversation_id: conversationId, user: USER });
    const conversations = await difyConversations();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ id: conversationId, user: USER });
    expect(conversations[0]?.turns).toHaveLength(4);
  });

  it('starts and saves a new conversation when the stored one is unknown', async () => {
    await script(KEY, { answer: { mode: 'fixed', text: 'turn {{turn}}' } });
    const memory = new MemoryStub({ conversationId: '00000000-0000-4000-8000-00000000dead' });

    const answer = await provider.complete(makeCall(memory, 'Hi again'));
    expect(answer.text).toBe('turn 1');

    const calls = await difyCalls();
    expect(calls.map((call) => call.status)).toEqual([404, 200]);
    expect(calls[0]?.body.conversation_id).toBe('00000000-0000-4000-8000-00000000dead');
    expect(calls[1]?.body).not.toHaveProperty('conversation_id');
    const conversations = await difyConversations();
    expect(conversations.map((conversation) => conversation.id)).toEqual([
      memory.state.conversationId,
    ]);
  });

  it('starts a new conversation when the stored one belongs to another end user', async () => {
    const memory = new MemoryStub();
    await provider.complete(makeCall(memory, 'Hello', { user: 'kommo-1-1' }));
    const theirs = memory.state.conversationId;

    await provider.complete(makeCall(memory, 'Hello', { user: 'kommo-1-2' }));
    expect(memory.state.conversationId).not.toBe(theirs);
    expect((await difyCalls()).map((call) => call.status)).toEqual([200, 404, 200]);
  });

  it('maps provider_quota_exceeded to billing, not retryable, and keeps memory', async () => {
    await script(KEY, { failures: [{ kind: 'provider_quota_exceeded' }] });
    const memory = new MemoryStub({ history: [] });

    const error = await failure(provider.complete(makeCall(memory, 'Hello')));
    expect(error).toMatchObject({
      provider: 'Dify',
      errorClass: 'billing',
      retryable: false,
      status: 400,
      code: 'provider_quota_exceeded',
    });
    expect(error.logLine()).toMatch(/^ERROR Dify: Your quota for Dify Hosted Model Provider/);
    expect(memory.state).toEqual({ history: [] });
    expect((await difyCalls()).map((call) => call.failure)).toEqual(['provider_quota_exceeded']);
  });

  it('maps a refused key to auth without showing the key', async () => {
    const badKey = 'app-live-9f8e7d6c5b4a';
    const error = await failure(
      provider.complete(makeCall(new MemoryStub(), 'Hello', { apiKey: badKey })),
    );
    expect(error).toMatchObject({ errorClass: 'auth', status: 401, retryable: false });
    expect(error.message).toBe('Dify: invalid API key');
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(badKey);
  });

  it('maps too_many_requests to a retryable rate limit with Retry-After', async () => {
    await script(KEY, { failures: [{ kind: 'rate_limit', retryAfterSeconds: 2 }] });
    const error = await failure(provider.complete(makeCall(new MemoryStub(), 'Hello')));
    expect(error).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 2000 });
  });

  it('times out a request the app never answers', async () => {
    await script(KEY, { failures: [{ kind: 'hang' }] });
    const error = await failure(
      provider.complete(makeCall(new MemoryStub(), 'Hello', { timeoutMs: 300 })),
    );
    expect(error).toMatchObject({ errorClass: 'timeout', retryable: true });
  });
});
