import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/integrations/ai-providers/provider-error';
import {
  type ConversationMemory,
  type ConversationState,
  type ProviderCall,
  type ProviderSettings,
} from '../../../src/integrations/ai-providers/provider.types';
import { OpenAiChatProvider } from '../../../src/integrations/ai-providers/openai-chat.provider';
import { freePort, type SandboxAiCall, SandboxProcess } from '../../support/sandbox';

const KEY = 'sk-test-int-chat-1';
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

class MemoryStub implements ConversationMemory {
  loads = 0;
  saves = 0;
  load(): Promise<ConversationState> {
    this.loads += 1;
    return Promise.resolve({});
  }
  save(): Promise<void> {
    this.saves += 1;
    return Promise.resolve();
  }
}

let sandbox: SandboxProcess;
const provider = new OpenAiChatProvider({ fetch: (input, init) => fetch(input, init) });

function makeCall(
  settings: Partial<ProviderSettings> = {},
  input: Partial<ProviderCall['input']> = {},
  extra: Partial<ProviderCall> = {},
): ProviderCall {
  return {
    input: { text: 'Hello there', images: [], ...input },
    settings: {
      apiKey: KEY,
      baseUrl: `${sandbox.url}/openai/v1`,
      model: 'gpt-4o-mini',
      ...settings,
    },
    memory: new MemoryStub(),
    user: 'kommo-31999001-4401',
    timeoutMs: 5_000,
    ...extra,
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
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(async () => {
  await sandbox.call('POST', '/_sandbox/ai/reset');
});

describe('OpenAiChatProvider against the fake OpenAI', () => {
  it('sends a spec-valid request with the model, instructions and token cap', async () => {
    await sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: 'Hi! How can I help?' } });
    const memory = new MemoryStub();
    const answer = await provider.complete(
      makeCall({ instructions: 'Answer in one sentence.', maxOutputTokens: 300 }, {}, { memory }),
    );

    expect(answer.text).toBe('Hi! How can I help?');
    expect(answer.model).toBe('gpt-4o-mini');
    expect(answer.requestId).toMatch(/^req_/);
    expect(answer.usage).toEqual({
      inputTokens: expect.any(Number) as number,
      outputTokens: expect.any(Number) as number,
      totalTokens: expect.any(Number) as number,
    });
    expect(answer.usage!.totalTokens).toBe(answer.usage!.inputTokens + answer.usage!.outputTokens);

    const calls = await chatCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.validation).toMatchObject({ checked: true, valid: true });
    expect(calls[0]?.key).toBe(KEY);
    expect(body(calls[0])).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'Answer in one sentence.' },
        { role: 'user', content: 'Hello there' },
      ],
      max_completion_tokens: 300,
    });
    // Stateless: the ChatGPT webhook keeps no memory.
    expect(memory.loads + memory.saves).toBe(0);
  });

  it('asks reasoning models for low effort and clamps the cap to the model limit', async () => {
    await provider.complete(makeCall({ model: 'gpt-6-luna', maxOutputTokens: 500_000 }));
    await provider.complete(makeCall({ model: 'gpt-4o-mini', maxOutputTokens: 50_000 }));

    const [luna, mini] = await chatCalls();
    expect(luna?.validation).toMatchObject({ checked: true, valid: true });
    expect(body(luna)).toMatchObject({
      model: 'gpt-6-luna',
      reasoning_effort: 'low',
      max_completion_tokens: 128_000,
    });
    expect(body(luna)).not.toHaveProperty('max_tokens');
    expect(body(mini)).toMatchObject({ max_completion_tokens: 16_384 });
    expect(body(mini)).not.toHaveProperty('reasoning_effort');
  });

  it('sends images as image_url content parts next to the text', async () => {
    const answer = await provider.complete(
      makeCall(
        {},
        { text: 'What is on this photo?', images: [{ dataUrl: PNG, mimeType: 'image/png' }] },
      ),
    );

    expect(answer.text).toBe('Echo: What is on this photo? [images: 1]');
    const [call] = await chatCalls();
    expect(call?.validation).toMatchObject({ checked: true, valid: true });
    expect(body(call).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is on this photo?' },
          { type: 'image_url', image_url: { url: PNG } },
        ],
      },
    ]);
  });

  describe('errors', () => {
    it('maps a refused key to auth without echoing the key', async () => {
      const badKey = 'sk-live-not-a-sandbox-key-1234';
      const error = await failure(provider.complete(makeCall({ apiKey: badKey })));

      expect(error.errorClass).toBe('auth');
      expect(error.status).toBe(401);
      expect(error.message).toBe('OpenAI: invalid API key');
      expect(JSON.stringify(error) + error.message).not.toContain('1234');
    });

    it('maps an unknown model to not_found', async () => {
      const error = await failure(provider.complete(makeCall({ model: 'gpt-x' })));

      expect(error.errorClass).toBe('not_found');
      expect(error.message).toBe('OpenAI: model `gpt-x` not found (or no access)');
      expect(error.retryable).toBe(false);
    });

    it('maps insufficient_quota to billing after exactly one request', async () => {
      await sandbox.aiScript(KEY, { failures: [{ kind: 'insufficient_quota', times: 3 }] });
      const error = await failure(provider.complete(makeCall()));

      expect(error.errorClass).toBe('billing');
      expect(error.retryable).toBe(false);
      expect(error.code).toBe('insufficient_quota');
      expect(error.message).toBe(
        'OpenAI: quota exhausted (insufficient_quota); add credit at platform.openai.com',
      );
      // maxRetries 0: the SDK must not spend the two other scripted failures.
      expect(await chatCalls()).toHaveLength(1);
    });

    it('maps a billing code on a 429 to billing', async () => {
      await sandbox.aiScript(KEY, {
        failures: [{ kind: 'insufficient_quota', code: 'credit_balance_exhausted' }],
      });
      const error = await failure(provider.complete(makeCall()));
      expect(error.errorClass).toBe('billing');
      expect(error.code).toBe('credit_balance_exhausted');
      expect(error.message).toContain('(credit_balance_exhausted)');
    });

    it('maps a pace 429 to rate_limit with Retry-After, without retrying itself', async () => {
      await sandbox.aiScript(KEY, {
        failures: [{ kind: 'rate_limit', retryAfterSeconds: 2, times: 2 }],
      });
      const error = await failure(provider.complete(makeCall()));

      expect(error.errorClass).toBe('rate_limit');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterMs).toBe(2_000);
      expect(await chatCalls()).toHaveLength(1);
    });

    it('maps 500 and 503 to retryable server errors', async () => {
      await sandbox.aiScript(KEY, {
        failures: [{ kind: 'server_error' }, { kind: 'overloaded', retryAfterSeconds: 3 }],
      });
      const first = await failure(provider.complete(makeCall()));
      const second = await failure(provider.complete(makeCall()));

      expect(first).toMatchObject({ errorClass: 'server', status: 500, retryable: true });
      expect(second).toMatchObject({ errorClass: 'server', status: 503, retryAfterMs: 3_000 });
    });

    it('times out a request that never answers', async () => {
      await sandbox.aiScript(KEY, { failures: [{ kind: 'hang' }] });
      const error = await failure(provider.complete(makeCall({}, {}, { timeoutMs: 300 })));

      expect(error.errorClass).toBe('timeout');
      expect(error.retryable).toBe(true);
    });

    it("stops when the caller's signal aborts", async () => {
      await sandbox.aiScript(KEY, { failures: [{ kind: 'hang' }] });
      const controller = new AbortController();
      const pending = failure(provider.complete(makeCall({}, {}, { signal: controller.signal })));
      setTimeout(() => controller.abort(), 100);
      const error = await pending;

      expect(error).toMatchObject({ errorClass: 'timeout', retryable: false });
    });

    it('maps a refused connection to network', async () => {
      const port = await freePort();
      const error = await failure(
        provider.complete(makeCall({ baseUrl: `http://127.0.0.1:${port}/v1` })),
      );
      expect(error.errorClass).toBe('network');
      expect(error.message).toContain('connection failed');
    });

    it('treats empty content cut by the token limit as empty_answer', async () => {
      await sandbox.aiScript(KEY, {
        failures: [
          {
            kind: 'custom',
            status: 200,
            body: {
              id: 'chatcmpl-1',
              object: 'chat.completion',
              created: 1,
              model: 'gpt-6-luna',
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: '', refusal: null },
                  logprobs: null,
                  finish_reason: 'length',
                },
              ],
              usage: { prompt_tokens: 5, completion_tokens: 16, total_tokens: 21 },
            },
          },
        ],
      });
      const error = await failure(
        provider.complete(makeCall({ model: 'gpt-6-luna', maxOutputTokens: 16 })),
      );

      expect(error.errorClass).toBe('empty_answer');
      expect(error.message).toBe(
        'OpenAI: empty answer (the token limit was reached; raise ?tokens=)',
      );
    });

    it('treats an empty answer as empty_answer', async () => {
      await sandbox.aiScript(KEY, { answer: { mode: 'fixed', text: '' } });
      const error = await failure(provider.complete(makeCall()));
      expect(error.errorClass).toBe('empty_answer');
    });

    it('refuses to call without a model', async () => {
      const error = await failure(provider.complete(makeCall({ model: undefined })));

      expect(error.errorClass).toBe('config');
      expect(await chatCalls()).toHaveLength(0);
    });
  });
});
