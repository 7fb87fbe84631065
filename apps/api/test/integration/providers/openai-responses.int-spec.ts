import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/integrations/ai-providers/provider-error';
import {
  type ConversationMemory,
  type ConversationState,
  type ProviderCall,
  type ProviderSettings,
} from '../../../src/integrations/ai-providers/provider.types';
import { OpenAiResponsesProvider } from '../../../src/integrations/ai-providers/openai-responses.provider';
import { type SandboxAiCall, SandboxProcess } from '../../support/sandbox';
import { storingMemory } from '../../support/stored-memory';

const KEY = 'sk-test-int-responses-1';
const USER = 'kommo-31999001-4401';
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

/** A lead's memory; `log` shows the order of loads and saves. */
class MemoryStub implements ConversationMemory {
  log: string[] = [];
  constructor(public state: ConversationState = {}) {}
  load(): Promise<ConversationState> {
    this.log.push('load');
    return Promise.resolve(structuredClone(this.state));
  }
  save(state: ConversationState): Promise<void> {
    this.log.push(`save ${state.conversationId}`);
    this.state = structuredClone(state);
    return Promise.resolve();
  }
}

let sandbox: SandboxProcess;
const raw = new OpenAiResponsesProvider({ fetch: (input, init) => fetch(input, init) });
// As the pipeline runs it: the memory an answer returns is stored (raw: an answer lost on our side).
const provider = storingMemory(raw);

function makeCall(
  memory: ConversationMemory,
  text: string,
  settings: Partial<ProviderSettings> = {},
  images: ProviderCall['input']['images'] = [],
): ProviderCall {
  return {
    input: { text, images },
    settings: {
      apiKey: KEY,
      baseUrl: `${sandbox.url}/openai/v1`,
      model: 'gpt-6-luna',
      instructions: 'You are the assistant of Acme Store.',
      ...settings,
    },
    memory,
    user: USER,
    timeoutMs: 5_000,
  };
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

function body(call: SandboxAiCall | undefined): Record<string, unknown> {
  return (call?.body ?? {}) as Record<string, unknown>;
}

async function openAiCalls(): Promise<SandboxAiCall[]> {
  return sandbox.aiCalls({ provider: 'openai' });
}

beforeAll(async () => {
  sandbox = await SandboxProcess.start();
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.call('POST', '/_sandbox/ai/reset');
});

describe('OpenAiResponsesProvider against the fake OpenAI', () => {
  it('creates one conversation per lead and reuses it on the next turn', async () => {
    const memory = new MemoryStub();
    const first = await provider.complete(makeCall(memory, 'Do you ship to Lima?'));
    const conversationId = memory.state.conversationId;

    expect(conversationId).toMatch(/^conv_/);
    expect(first.text).toBe('Echo: Do you ship to Lima?');
    expect(first.model).toBe('gpt-6-luna');
    expect(first.requestId).toMatch(/^req_/);
    expect(first.usage?.totalTokens).toBeGreaterThan(0);

    const second = await provider.complete(makeCall(memory, 'And to Cusco?'));
    // The fake answers from the conversation's items, so this shows OpenAI kept the context.
    expect(second.text).toBe('Echo: And to Cusco? (turn 2, previous: Do you ship to Lima?)');
    expect(memory.state.conversationId).toBe(conversationId);

    const calls = await openAiCalls();
    expect(calls.map((call) => call.endpoint)).toEqual([
      'conversations.create',
      'responses',
      'responses',
    ]);
    for (const call of calls) expect(call.validation).toMatchObject({ checked: true, valid: true });
    expect(body(calls[0])).toEqual({ metadata: { source: 'gpt-bridge', user: USER } });
    expect(body(calls[1])).toEqual({
      model: 'gpt-6-luna',
      conversation: conversationId,
      instructions: 'You are the assistant of Acme Store.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'Do you ship to Lima?' }],
        },
      ],
      reasoning: { effort: 'low' },
    });
    expect(body(calls[2]).conversation).toBe(conversationId);
    const { openai } = await sandbox.aiConversations();
    expect(openai.map((conversation) => conversation.id)).toEqual([conversationId]);
  });

  it('keeps the newest item of the conversation as the cursor after each answer', async () => {
    const memory = new MemoryStub();
    await provider.complete(makeCall(memory, 'One'));
    const { openai } = await sandbox.aiConversations();
    const items = openai[0]!.items as { id: string }[];
    expect(memory.state).toEqual({ conversationId: openai[0]!.id, cursor: items.at(-1)!.id });
  });

  describe('resuming a request an earlier ask may have answered', () => {
    const resumed = (memory: MemoryStub, text: string) => ({
      ...makeCall(memory, text),
      resume: true,
    });

    it('reads back the answer the conversation holds for it, without a second response', async () => {
      const memory = new MemoryStub();
      await provider.complete(makeCall(memory, 'Do you ship to Lima?'));
      const before = structuredClone(memory.state);
      // The second ask reached OpenAI, but its answer was never stored on our side.
      const lost = await raw.complete(makeCall(memory, 'And to Cusco?'));
      expect(memory.state).toEqual(before);

      const again = await provider.complete(resumed(memory, 'And to Cusco?'));
      expect(again).toMatchObject({ text: lost.text, recovered: true, model: 'gpt-6-luna' });
      expect(again.memory).toEqual(lost.memory);
      const endpoints = (await openAiCalls()).map((call) => call.endpoint);
      expect(endpoints.filter((endpoint) => endpoint === 'responses')).toHaveLength(2);
      expect(endpoints.at(-1)).toBe('conversations.items.list');
      expect((await openAiCalls()).at(-1)?.path).toContain(`after=${before.cursor}`);
    });

    it('asks when the conversation holds nothing after the cursor', async () => {
      const memory = new MemoryStub();
      await provider.complete(makeCall(memory, 'One'));
      const answer = await provider.complete(resumed(memory, 'Two'));
      expect(answer.recovered).toBeUndefined();
      expect(answer.text).toBe('Echo: Two (turn 2, previous: One)');
      const endpoints = (await openAiCalls()).map((call) => call.endpoint);
      expect(endpoints.slice(-2)).toEqual(['conversations.items.list', 'responses']);
    });

    it('asks when the turn after the cursor is another question', async () => {
      const memory = new MemoryStub();
      await provider.complete(makeCall(memory, 'One'));
      await raw.complete(makeCall(memory, 'Two'));
      const answer = await provider.complete(resumed(memory, 'Three'));
      expect(answer.recovered).toBeUndefined();
      expect(answer.text).toContain('Echo: Three');
    });

    it('asks when the cursor is not an item of the conversation any more', async () => {
      const memory = new MemoryStub();
      await provider.complete(makeCall(memory, 'One'));
      memory.state.cursor = 'msg_gone';
      const answer = await provider.complete(resumed(memory, 'Two'));
      expect(answer.recovered).toBeUndefined();
      expect(answer.text).toBe('Echo: Two (turn 2, previous: One)');
    });

    it('asks (without looking) when the memory has no cursor, as memories from before it', async () => {
      const memory = new MemoryStub();
      await provider.complete(makeCall(memory, 'One'));
      delete memory.state.cursor;
      const answer = await provider.complete(resumed(memory, 'One'));
      expect(answer.recovered).toBeUndefined();
      const endpoints = (await openAiCalls()).map((call) => call.endpoint);
      expect(endpoints).not.toContain('conversations.items.list');
    });
  });

  it('saves the new conversation before asking for the response', async () => {
    const memory = new MemoryStub();
    const error = await failure(provider.complete(makeCall(memory, 'Hi', { model: 'gpt-x' })));

    expect(error.errorClass).toBe('not_found');
    expect(error.message).toBe('OpenAI: model `gpt-x` not found (or no access)');
    expect(memory.log).toEqual(['load', `save ${memory.state.conversationId}`]);
    expect(memory.state.conversationId).toMatch(/^conv_/);
  });

  it('sends images as input_image parts and the cap as max_output_tokens (at least 16)', async () => {
    const memory = new MemoryStub();
    await provider.complete(
      makeCall(memory, 'Is this in stock?', { model: 'gpt-4o-mini', maxOutputTokens: 300 }, [
        { dataUrl: PNG, mimeType: 'image/png' },
      ]),
    );
    await sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'Yes.' } });
    await provider.complete(
      makeCall(memory, 'Thanks', { model: 'gpt-4o-mini', maxOutputTokens: 5 }),
    );

    const [first, second] = await sandbox.aiCalls({ provider: 'openai', endpoint: 'responses' });
    expect(first?.validation).toMatchObject({ checked: true, valid: true });
    expect(first?.answer).toBe('Echo: Is this in stock? [images: 1]');
    expect(body(first)).toMatchObject({
      max_output_tokens: 300,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Is this in stock?' },
            { type: 'input_image', image_url: PNG, detail: 'auto' },
          ],
        },
      ],
    });
    expect(body(first)).not.toHaveProperty('reasoning');
    expect(body(second)).toMatchObject({ max_output_tokens: 16 });
    expect(second?.validation).toMatchObject({ checked: true, valid: true });
  });

  it('reads the answer from output items (the fake sends no output_text)', async () => {
    await sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'We open at 9.' } });
    const answer = await provider.complete(makeCall(new MemoryStub(), 'When do you open?'));
    expect(answer.text).toBe('We open at 9.');
  });

  it('starts a new conversation when OpenAI no longer knows the stored one', async () => {
    const memory = new MemoryStub({
      conversationId: 'conv_0000000000000000000000000000000000000000000dead',
    });
    const answer = await provider.complete(makeCall(memory, 'Hello again'));

    expect(answer.text).toBe('Echo: Hello again');
    expect(memory.state.conversationId).toMatch(/^conv_/);
    expect(memory.state.conversationId).not.toContain('dead');
    const calls = await openAiCalls();
    expect(calls.map((call) => [call.endpoint, call.status])).toEqual([
      ['responses', 404],
      ['conversations.create', 200],
      ['responses', 200],
    ]);
    expect(body(calls[2]).conversation).toBe(memory.state.conversationId);
  });

  it('starts a new conversation after the old one was deleted', async () => {
    const memory = new MemoryStub();
    await provider.complete(makeCall(memory, 'First'));
    const deleted = memory.state.conversationId!;
    const response = await fetch(`${sandbox.url}/openai/v1/conversations/${deleted}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(response.status).toBe(200);

    const answer = await provider.complete(makeCall(memory, 'Second'));
    expect(answer.text).toBe('Echo: Second');
    expect(memory.state.conversationId).not.toBe(deleted);
    const { openai } = await sandbox.aiConversations();
    expect(openai.map((conversation) => conversation.id)).toEqual([memory.state.conversationId]);
  });

  it('replaces an Assistants-era thread id without sending it', async () => {
    const memory = new MemoryStub({ conversationId: 'thread_abc123' });
    await provider.complete(makeCall(memory, 'Hi'));

    expect(memory.state.conversationId).toMatch(/^conv_/);
    const calls = await openAiCalls();
    expect(calls.map((call) => call.endpoint)).toEqual(['conversations.create', 'responses']);
  });

  it.each([
    ['model', { model: 'asst_abc123' }, 'Assistants (asst_...) were shut down'],
    ['agentId', { agentId: 'asst_abc123' }, 'Assistants (asst_...) were shut down'],
    ['instructions', { instructions: 'asst_abc123' }, 'Assistants (asst_...) were shut down'],
    ['model', { model: 'pmpt_68ab12' }, 'prompt objects (pmpt_...)'],
    ['agentId', { agentId: 'pmpt_68ab12' }, 'prompt objects (pmpt_...)'],
  ])(
    'refuses an %s holding a shut-down id without calling OpenAI',
    async (_field, settings, text) => {
      const memory = new MemoryStub();
      const error = await failure(provider.complete(makeCall(memory, 'Hi', settings)));

      expect(error.errorClass).toBe('config');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(text);
      expect(error.message).toContain('paste your');
      expect(await openAiCalls()).toHaveLength(0);
      expect(memory.log).toEqual([]);
    },
  );

  it('answers normally when instructions merely mention asst_', async () => {
    const answer = await provider.complete(
      makeCall(new MemoryStub(), 'Hi', { instructions: 'We migrated from asst_abc to this.' }),
    );
    expect(answer.text).toBe('Echo: Hi');
  });

  it('treats an answer cut at the token cap as empty_answer', async () => {
    await sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'word '.repeat(200) } });
    const error = await failure(
      provider.complete(makeCall(new MemoryStub(), 'Tell me everything', { maxOutputTokens: 16 })),
    );

    expect(error.errorClass).toBe('empty_answer');
    expect(error.message).toContain('the token limit was reached; raise ?tokens=');
  });

  describe('errors', () => {
    it('maps insufficient_quota on the conversation to billing and saves nothing', async () => {
      await sandbox.aiScript(KEY, { failures: [{ kind: 'insufficient_quota' }] });
      const memory = new MemoryStub();
      const error = await failure(provider.complete(makeCall(memory, 'Hi')));

      expect(error).toMatchObject({ errorClass: 'billing', retryable: false });
      expect(memory.state).toEqual({});
      expect(await openAiCalls()).toHaveLength(1);
    });

    it('maps a rate limit on the response to rate_limit with Retry-After', async () => {
      const memory = new MemoryStub();
      await provider.complete(makeCall(memory, 'Hi'));
      await sandbox.aiScript(KEY, { failures: [{ kind: 'rate_limit', retryAfterSeconds: 4 }] });
      const error = await failure(provider.complete(makeCall(memory, 'Hi again')));

      expect(error).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 4_000 });
    });

    it('maps an invalid key to auth', async () => {
      const error = await failure(
        provider.complete(makeCall(new MemoryStub(), 'Hi', { apiKey: 'sk-wrong-9999' })),
      );
      expect(error.errorClass).toBe('auth');
      expect(error.message).toBe('OpenAI: invalid API key');
    });
  });
});
