import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/integrations/ai-providers/provider-error';
import {
  type ChatTurn,
  type ConversationMemory,
  type ConversationState,
  type ProviderCall,
  type ProviderSettings,
} from '../../../src/integrations/ai-providers/provider.types';
import { OpenAiCompatibleProvider } from '../../../src/integrations/ai-providers/openai-compatible.provider';
import { type SandboxAiCall, SandboxProcess } from '../../support/sandbox';
import { storingMemory } from '../../support/stored-memory';

const KEY = 'sk-test-int-compatible-1';
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

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

let sandbox: SandboxProcess;
let host: string;
const provider = storingMemory(
  new OpenAiCompatibleProvider({ fetch: (input, init) => fetch(input, init) }),
);

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
      model: 'gpt-4o-mini',
      ...settings,
    },
    memory,
    user: 'kommo-31999001-4401',
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

async function chatCalls(): Promise<SandboxAiCall[]> {
  return sandbox.aiCalls({ provider: 'openai', endpoint: 'chat.completions' });
}

function body(call: SandboxAiCall | undefined): Record<string, unknown> {
  return (call?.body ?? {}) as Record<string, unknown>;
}

beforeAll(async () => {
  sandbox = await SandboxProcess.start();
  host = new URL(sandbox.url).host;
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.call('POST', '/_sandbox/ai/reset');
});

describe('OpenAiCompatibleProvider against the fake OpenAI', () => {
  it('keeps the history itself and sends it on the next turn', async () => {
    const memory = new MemoryStub();
    const settings = { instructions: 'Be brief.', maxOutputTokens: 200 };
    const first = await provider.complete(makeCall(memory, 'My name is Ana', settings));
    const second = await provider.complete(makeCall(memory, 'What is my name?', settings));

    expect(first.text).toBe('Echo: My name is Ana');
    expect(second.text).toBe('Echo: What is my name? (turn 2, previous: My name is Ana)');
    expect(memory.state.history).toEqual([
      { role: 'user', content: 'My name is Ana' },
      { role: 'assistant', content: 'Echo: My name is Ana' },
      { role: 'user', content: 'What is my name?' },
      { role: 'assistant', content: second.text },
    ]);

    const calls = await chatCalls();
    expect(calls).toHaveLength(2);
    for (const call of calls) expect(call.validation).toMatchObject({ checked: true, valid: true });
    expect(body(calls[0])).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'My name is Ana' },
      ],
      max_completion_tokens: 200,
    });
    expect(body(calls[1]).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'My name is Ana' },
      { role: 'assistant', content: 'Echo: My name is Ana' },
      { role: 'user', content: 'What is my name?' },
    ]);
    expect(body(calls[1])).not.toHaveProperty('max_tokens');
    expect(body(calls[1])).not.toHaveProperty('reasoning_effort');
  });

  it('keeps at most 20 turns, oldest dropped first', async () => {
    const history: ChatTurn[] = Array.from({ length: 30 }, (_, index) => ({
      role: index % 2 === 0 ? 'user' : 'assistant',
      content: `turn ${index}`,
    }));
    const memory = new MemoryStub({ history });
    await provider.complete(makeCall(memory, 'latest'));

    const [call] = await chatCalls();
    const sent = body(call).messages as ChatTurn[];
    expect(sent).toHaveLength(21);
    expect(sent[0]).toEqual({ role: 'user', content: 'turn 10' });
    expect(memory.state.history).toHaveLength(20);
    expect(memory.state.history?.[0]).toEqual({ role: 'user', content: 'turn 12' });
    expect(memory.state.history?.at(-1)?.content).toBe('Echo: latest (turn 11, previous: turn 28)');
  });

  it('sends images as image_url parts and remembers that some were sent', async () => {
    const memory = new MemoryStub();
    const answer = await provider.complete(
      makeCall(memory, 'Which size is this?', {}, [{ dataUrl: PNG, mimeType: 'image/png' }]),
    );

    expect(answer.text).toBe('Echo: Which size is this? [images: 1]');
    const [call] = await chatCalls();
    expect(call?.validation).toMatchObject({ checked: true, valid: true });
    expect(body(call).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Which size is this?' },
          { type: 'image_url', image_url: { url: PNG } },
        ],
      },
    ]);
    expect(memory.state.history?.[0]).toEqual({
      role: 'user',
      content: 'Which size is this?\n[1 image]',
    });
  });

  describe('errors', () => {
    it("names the endpoint's host and leaves the history alone", async () => {
      const memory = new MemoryStub({ history: [{ role: 'user', content: 'earlier' }] });
      const error = await failure(
        provider.complete(makeCall(memory, 'Hi', { apiKey: 'sk-or-v1-wrong-key' })),
      );

      expect(error.errorClass).toBe('auth');
      expect(error.provider).toBe(host);
      expect(error.message).toBe(`${host}: invalid API key`);
      expect(memory.state.history).toEqual([{ role: 'user', content: 'earlier' }]);
    });

    it('maps a quota 429 to billing pointing at the host', async () => {
      await sandbox.aiScript(KEY, { failures: [{ kind: 'insufficient_quota' }] });
      const error = await failure(provider.complete(makeCall(new MemoryStub(), 'Hi')));

      expect(error).toMatchObject({ errorClass: 'billing', retryable: false });
      expect(error.message).toBe(
        `${host}: quota exhausted (insufficient_quota); add credit at ${host}`,
      );
    });

    it('maps a 402 (OpenRouter: no credits) to billing', async () => {
      await sandbox.aiScript(KEY, {
        failures: [
          {
            kind: 'custom',
            status: 402,
            body: { error: { code: 402, message: 'Insufficient credits.' } },
          },
        ],
      });
      const error = await failure(provider.complete(makeCall(new MemoryStub(), 'Hi')));
      expect(error).toMatchObject({ errorClass: 'billing', retryable: false, status: 402 });
    });

    it('requires a model and a valid base URL before calling', async () => {
      const noModel = await failure(
        provider.complete(makeCall(new MemoryStub(), 'Hi', { model: '' })),
      );
      const badUrl = await failure(
        provider.complete(makeCall(new MemoryStub(), 'Hi', { baseUrl: 'not a url' })),
      );

      expect(noModel.errorClass).toBe('config');
      expect(badUrl.errorClass).toBe('config');
      expect(await chatCalls()).toHaveLength(0);
    });
  });
});
