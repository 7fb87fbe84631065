import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../src/integrations/ai-providers/provider-error';
import {
  OpenAiTranscriber,
  type TranscriptionRequest,
} from '../../../src/integrations/ai-providers/openai-transcriber';
import { type SandboxAiCall, SandboxProcess } from '../../support/sandbox';

const KEY = 'sk-test-int-transcriber-1';

let sandbox: SandboxProcess;
const transcriber = new OpenAiTranscriber({ fetch: (input, init) => fetch(input, init) });

function request(overrides: Partial<TranscriptionRequest> = {}): TranscriptionRequest {
  return {
    apiKey: KEY,
    baseUrl: `${sandbox.url}/openai/v1`,
    model: 'gpt-4o-mini-transcribe',
    // Any bytes do: the fake does not decode audio. 32 kB ≈ a two-second note.
    file: { bytes: Buffer.alloc(32_000, 7), fileName: 'voice-note.ogg', mimeType: 'audio/ogg' },
    timeoutMs: 5_000,
    ...overrides,
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

async function audioCalls(): Promise<SandboxAiCall[]> {
  return sandbox.aiCalls({ provider: 'openai', endpoint: 'audio.transcriptions' });
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

describe('OpenAiTranscriber against the fake OpenAI', () => {
  it('uploads the file and returns the scripted transcript', async () => {
    await sandbox.aiScript(KEY, {
      transcripts: { 'voice-note.ogg': 'Hola, quiero saber el precio del plan anual.' },
    });
    const result = await transcriber.transcribe(request());

    expect(result).toEqual({ text: 'Hola, quiero saber el precio del plan anual.' });
    const [call] = await audioCalls();
    expect(call?.validation).toMatchObject({ checked: true, valid: true });
    expect(call?.body).toMatchObject({
      model: 'gpt-4o-mini-transcribe',
      file: { name: 'voice-note.ogg', size: 32_000, type: 'audio/ogg' },
    });
  });

  it('works with whisper-1 and a catch-all transcript', async () => {
    await sandbox.aiScript(KEY, { transcript: 'Buenos días' });
    const result = await transcriber.transcribe(
      request({
        model: 'whisper-1',
        file: { bytes: Buffer.from('audio'), fileName: 'a.mp3', mimeType: 'audio/mpeg' },
      }),
    );
    expect(result.text).toBe('Buenos días');
  });

  describe('errors', () => {
    it('maps an unknown model to not_found', async () => {
      const error = await failure(transcriber.transcribe(request({ model: 'whisper-9' })));
      expect(error.errorClass).toBe('not_found');
      expect(error.message).toBe('OpenAI: model `whisper-9` not found (or no access)');
    });

    it('maps a refused key to auth', async () => {
      const error = await failure(transcriber.transcribe(request({ apiKey: 'sk-nope-123456' })));
      expect(error.errorClass).toBe('auth');
      expect(error.message).not.toContain('123456');
    });

    it('maps a rate limit to rate_limit after one request', async () => {
      await sandbox.aiScript(KEY, {
        failures: [{ kind: 'rate_limit', retryAfterSeconds: 1, times: 3 }],
      });
      const error = await failure(transcriber.transcribe(request()));

      expect(error).toMatchObject({ errorClass: 'rate_limit', retryAfterMs: 1_000 });
      expect(await audioCalls()).toHaveLength(1);
    });

    it('refuses an empty key without calling', async () => {
      const error = await failure(transcriber.transcribe(request({ apiKey: ' ' })));
      expect(error.errorClass).toBe('config');
      expect(await audioCalls()).toHaveLength(0);
    });
  });
});
