import { toFile } from 'openai';
import { type FetchLike } from './provider.types';
import { createOpenAiClient } from './openai-client';
import { mapOpenAiError } from './openai-errors';

export type TranscriptionRequest = {
  apiKey: string;
  baseUrl: string;
  /** e.g. `whisper-1`, `gpt-4o-mini-transcribe`. */
  model: string;
  file: { bytes: Buffer; fileName: string; mimeType: string };
  timeoutMs: number;
  signal?: AbortSignal;
  /** Display name in errors; "OpenAI" unless the account uses another endpoint. */
  provider?: string;
};

/** Voice notes to text, before the prompt goes to whichever provider answers. */
export class OpenAiTranscriber {
  constructor(private readonly deps: { fetch: FetchLike }) {}

  async transcribe(request: TranscriptionRequest): Promise<{ text: string }> {
    const provider = request.provider ?? 'OpenAI';
    const client = createOpenAiClient({
      apiKey: request.apiKey,
      baseUrl: request.baseUrl,
      fetch: this.deps.fetch,
      timeoutMs: request.timeoutMs,
      provider,
    });
    try {
      const { bytes, fileName, mimeType } = request.file;
      const transcription = await client.audio.transcriptions.create(
        { file: await toFile(bytes, fileName, { type: mimeType }), model: request.model },
        { signal: request.signal },
      );
      return { text: transcription.text };
    } catch (error) {
      throw mapOpenAiError(error, {
        provider,
        model: request.model,
        apiKey: request.apiKey,
        timeoutMs: request.timeoutMs,
      });
    }
  }
}
