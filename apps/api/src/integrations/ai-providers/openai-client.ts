import OpenAI from 'openai';
import { ProviderError } from './provider-error';
import { type FetchLike } from './provider.types';

export type OpenAiClientOptions = {
  apiKey: string;
  baseUrl: string;
  fetch: FetchLike;
  timeoutMs: number;
  /** Display name for the config errors below. */
  provider?: string;
};

/** An SDK client for one call, going out through the provider's (guarded) fetch. */
export function createOpenAiClient(options: OpenAiClientOptions): OpenAI {
  const provider = options.provider ?? 'OpenAI';
  if (!options.apiKey.trim()) {
    throw new ProviderError({
      provider,
      errorClass: 'config',
      message: 'no API key saved; paste it in the widget settings',
    });
  }
  if (!options.baseUrl.trim()) {
    throw new ProviderError({ provider, errorClass: 'config', message: 'no API base URL saved' });
  }
  const { fetch } = options;
  return new OpenAI({
    apiKey: options.apiKey.trim(),
    baseURL: options.baseUrl.trim(),
    // The SDK retries quota 429s too; the pipeline retries, knowing which errors are worth it.
    maxRetries: 0,
    timeout: options.timeoutMs,
    // Explicit nulls: the SDK would otherwise pick these up from OPENAI_* environment variables.
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    logLevel: 'off',
    fetch: (input, init) => {
      // The SDK always passes a URL string; a Request would lose its body through FetchLike.
      if (typeof input !== 'string' && !(input instanceof URL)) {
        throw new TypeError('openai client: Request objects are not supported');
      }
      return fetch(input, init);
    },
  });
}
