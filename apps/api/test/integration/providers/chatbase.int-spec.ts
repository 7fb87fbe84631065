import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/integrations/ai-providers/provider-error';
import {
  type ConversationMemory,
  type ConversationState,
  type ProviderCall,
  type ProviderSettings,
} from '../../../src/integrations/ai-providers/provider.types';
import { ChatbaseProvider } from '../../../src/integrations/ai-providers/chatbase.provider';
import { SandboxProcess } from '../../support/sandbox';
import { storingMemory } from '../../support/stored-memory';

/** What the sandbox's AI call log records per request (the parts these tests read). */
type AiCall = {
  endpoint: string;
  path: string;
  body: Record<string, unknown>;
  status: number | null;
  failure: string | null;
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

const KEY = 'cb-test-int-chatbase-1';
const AGENT = 'agent-int-1';
const USER = 'kommo-31999001-4401';

let sandbox: SandboxProcess;
let provider: ChatbaseProvider;

function makeCall(
  memory: ConversationMemory,
  text: string,
  settings: Partial<ProviderSettings> = {},
): ProviderCall {
  return {
    input: { text, images: [] },
    settings: { apiKey: KEY, baseUrl: `${sandbox.url}/chatbase/api`, agentId: AGENT, ...settings },
    memory,
    user: USER,
    timeoutMs: 5_000,
  };
}

function script(target: string, body: unknown): Promise<unknown> {
  return sandbox.call('PUT', `/_sandbox/ai/scripts/${encodeURIComponent(target)}`, body);
}

async function chatbaseCalls(): Promise<AiCall[]> {
  return (await sandbox.call<{ calls: AiCall[] }>('GET', '/_sandbox/ai/calls?provider=chatbase'))
    .calls;
}

async function chatbaseConversations(): Promise<ServerConversation[]> {
  return (
    await sandbox.call<{ chatbase: ServerConversation[] }>('GET', '/_sandbox/ai/conversations')
  ).chatbase;
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
  provider = storingMemory(new ChatbaseProvider({ fetch: globalThis.fetch }));
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.call('POST', '/_sandbox/ai/reset');
});

describe('ChatbaseProvider v2 against the sandbox', () => {
  it('answers, saves the conversationId and continues it on turn 2', async () => {
    await script(AGENT, { answer: { mode: 'fixed', text: 'turn {{turn}}: {{last}}' } });
    const memory = new MemoryStub();

    const first = await provider.complete(makeCall(memory, 'Hello'));
    expect(first).toMatchObject({ text: 'turn 1: Hello', model: 'chatbase' });
    expect(first.requestId).toEqual(expect.any(String));
    const conversationId = memory.state.conversationId;
    expect(conversationId).toEqual(expect.any(String));

    const second = await provider.complete(makeCall(memory, 'Price?'));
    expect(second.text).toBe('turn 2: Price?');
    expect(memory.state.conversationId).toBe(conversationId);

    const calls = await chatbaseCalls();
    expect(calls.map((call) => [call.path, call.status])).toEqual([
      [`/chatbase/api/v2/agents/${AGENT}/chat`, 200],
      [`/chatbase/api/v2/agents/${AGENT}/chat`, 200],
    ]);
    expect(calls[0]?.body).toEqual({ message: 'Hello', userId: USER, stream: false });
    expect(calls[1]?.body).toEqual({ message: 'Price?', conversationId, stream: false });
    const conversations = await chatbaseConversations();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ id: conversationId, owner: AGENT, user: USER });
  });

  it('starts a new conversation when the stored one is unknown', async () => {
    await script(AGENT, { answer: { mode: 'fixed', text: 'turn {{turn}}' } });
    const memory = new MemoryStub({ conversationId: 'cb-conv-unknown' });

    const answer = await provider.complete(makeCall(memory, 'Hi'));
    expect(answer.text).toBe('turn 1');
    expect((await chatbaseCalls()).map((call) => call.status)).toEqual([404, 200]);
    const conversations = await chatbaseConversations();
    expect(conversations.map((conversation) => conversation.id)).toEqual([
      memory.state.conversationId,
    ]);
  });

  it("starts a new conversation when the stored one is another agent's", async () => {
    const memory = new MemoryStub();
    await provider.complete(makeCall(memory, 'Hi', { agentId: 'agent-old' }));
    const old = memory.state.conversationId;

    await provider.complete(makeCall(memory, 'Hi'));
    expect(memory.state.conversationId).not.toBe(old);
    expect((await chatbaseCalls()).map((call) => call.status)).toEqual([200, 400, 200]);
  });

  it('maps exhausted credits to billing, not retryable', async () => {
    await script(AGENT, { failures: [{ kind: 'credits_exhausted' }] });
    const memory = new MemoryStub({ conversationId: 'kept' });

    const error = await failure(provider.complete(makeCall(memory, 'Hello')));
    expect(error).toMatchObject({
      provider: 'Chatbase',
      errorClass: 'billing',
      retryable: false,
      code: 'CHAT_CREDITS_EXHAUSTED',
    });
    expect(memory.state).toEqual({ conversationId: 'kept' });
  });

  it("maps an agent's exhausted credits to billing", async () => {
    await script(AGENT, { failures: [{ kind: 'agent_credits_exhausted' }] });
    const error = await failure(provider.complete(makeCall(new MemoryStub(), 'Hello')));
    expect(error).toMatchObject({ errorClass: 'billing', code: 'CHAT_AGENT_CREDITS_EXHAUSTED' });
  });

  it('maps an unknown agent to not_found', async () => {
    const error = await failure(
      provider.complete(makeCall(new MemoryStub(), 'Hello', { agentId: 'bot-unknown' })),
    );
    expect(error).toMatchObject({ errorClass: 'not_found', status: 404, retryable: false });
    expect(error.message).toBe('Chatbase: Agent not found.');
  });

  it('maps a refused key to auth without showing the key', async () => {
    const badKey = 'cb-live-0a1b2c3d4e5f';
    const error = await failure(
      provider.complete(makeCall(new MemoryStub(), 'Hello', { apiKey: badKey })),
    );
    expect(error).toMatchObject({ errorClass: 'auth', status: 401, code: 'AUTH_INVALID_API_KEY' });
    expect(error.message).not.toContain(badKey);
  });

  it('maps a rate limit to a retryable error with Retry-After', async () => {
    await script(AGENT, { failures: [{ kind: 'rate_limit', retryAfterSeconds: 3 }] });
    const error = await failure(provider.complete(makeCall(new MemoryStub(), 'Hello')));
    expect(error).toMatchObject({ errorClass: 'rate_limit', retryable: true, retryAfterMs: 3000 });
  });
});

describe('ChatbaseProvider v1 against the sandbox', () => {
  it('sends our stored history on turn 2', async () => {
    await script(AGENT, { answer: { mode: 'fixed', text: 'turn {{turn}}, before: {{previous}}' } });
    const memory = new MemoryStub();
    const v1 = { apiVersion: 'v1' } as const;

    const first = await provider.complete(makeCall(memory, 'Hello', v1));
    expect(first.text).toBe('turn 1, before:'); // answers are trimmed
    const second = await provider.complete(makeCall(memory, 'Price?', v1));
    expect(second.text).toBe('turn 2, before: Hello');

    const calls = await chatbaseCalls();
    expect(calls.map((call) => call.path)).toEqual([
      '/chatbase/api/v1/chat',
      '/chatbase/api/v1/chat',
    ]);
    expect(calls[1]?.body).toEqual({
      chatbotId: AGENT,
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'turn 1, before:' },
        { role: 'user', content: 'Price?' },
      ],
      conversationId: USER,
      stream: false,
    });
    expect(memory.state.history).toHaveLength(4);
  });

  it('maps v1 errors by status', async () => {
    await script(AGENT, { failures: [{ kind: 'credits_exhausted' }] });
    const billing = await failure(
      provider.complete(makeCall(new MemoryStub(), 'Hello', { apiVersion: 'v1' })),
    );
    expect(billing).toMatchObject({ errorClass: 'billing', status: 402 });

    const missing = await failure(
      provider.complete(
        makeCall(new MemoryStub(), 'Hello', { apiVersion: 'v1', agentId: 'bot-unknown' }),
      ),
    );
    expect(missing).toMatchObject({
      errorClass: 'not_found',
      message: 'Chatbase: Chatbot not found.',
    });
  });
});
