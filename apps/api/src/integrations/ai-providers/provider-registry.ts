import { Injectable } from '@nestjs/common';
import { OutboundBlockedError } from '../outbound/outbound-guard';
import { OutboundHttp } from '../outbound/outbound-http.service';
import { ProviderError } from './provider-error';
import { type AiProvider, type FetchLike, type ProviderName } from './provider.types';
import { ChatbaseProvider } from './chatbase.provider';
import { DifyProvider } from './dify.provider';
import { OpenAiChatProvider } from './openai-chat.provider';
import { OpenAiCompatibleProvider } from './openai-compatible.provider';
import { OpenAiResponsesProvider } from './openai-responses.provider';

/** One instance of each provider, all on the outbound guard's fetch. */
@Injectable()
export class ProviderRegistry {
  private readonly providers: ReadonlyMap<ProviderName, AiProvider>;

  constructor(outbound: OutboundHttp) {
    const deps = { fetch: blockedAsProviderError(outbound.fetch) };
    const all: AiProvider[] = [
      new OpenAiChatProvider(deps),
      new OpenAiResponsesProvider(deps),
      new OpenAiCompatibleProvider(deps),
      new DifyProvider(deps),
      new ChatbaseProvider(deps),
    ];
    this.providers = new Map(all.map((provider) => [provider.name, provider]));
  }

  get(name: ProviderName): AiProvider {
    const provider = this.providers.get(name);
    if (!provider) throw new Error(`no provider registered as ${name}`);
    return provider;
  }
}

/** The guard's refusal as the ProviderError every provider already passes through. */
function blockedAsProviderError(fetch: FetchLike): FetchLike {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      const blocked = findBlocked(error);
      if (!blocked) throw error;
      throw new ProviderError({
        provider: new URL(String(input)).host,
        errorClass: 'blocked_url',
        message: `address not allowed (${blocked.message})`,
      });
    }
  };
}

function findBlocked(error: unknown): OutboundBlockedError | undefined {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof OutboundBlockedError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
