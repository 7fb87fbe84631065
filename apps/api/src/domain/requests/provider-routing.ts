import { createHash } from 'node:crypto';
import { type AppConfig } from '../../config/app-config';
import { type WebhookKind } from '../installations/webhook-token';
import { type RequestParams } from './ai-request.types';
import { ProviderError } from '../../integrations/ai-providers/provider-error';
import { type StoredProviderSettings } from './provider-settings.service';
import {
  type ProviderName,
  type ProviderSettings,
} from '../../integrations/ai-providers/provider.types';
import { acceptsImages, clampOutputTokens } from '../../integrations/ai-providers/model-limits';

/** Which provider answers a request, with what settings, and under which memory key. */
export type ProviderRoute = {
  name: ProviderName;
  /** Shown in LOG lines and the request log: OpenAI, Dify, Chatbase or the endpoint's host. */
  displayName: string;
  settings: ProviderSettings;
  /** Separates per-lead memories that must not mix (another app or agent). */
  memoryKey: string;
};

const missingKey = (provider: string, what: string) =>
  new ProviderError({
    provider,
    errorClass: 'config',
    message: `no ${what} saved; add it in the GPT Bridge widget settings`,
  });

/**
 * The ChatGPT webhook always goes to OpenAI Chat Completions with the account's key; the
 * Assistant webhook goes to the provider the account chose. Throws ProviderError('config') when
 * something needed is missing, before any call.
 */
export function routeRequest(
  kind: WebhookKind,
  params: RequestParams,
  stored: StoredProviderSettings,
  config: AppConfig,
  hasImages: boolean,
): ProviderRoute {
  if (kind === 'chatgpt') {
    if (!stored.openaiApiKey) throw missingKey('OpenAI', 'OpenAI API key');
    let model = params.model ?? config.get('OPENAI_DEFAULT_MODEL');
    if (hasImages && !acceptsImages(model)) model = config.get('OPENAI_VISION_MODEL');
    const maxOutputTokens = clampOutputTokens(model, params.tokens);
    return {
      name: 'openai_chat',
      displayName: 'OpenAI',
      memoryKey: 'openai-chat',
      settings: {
        apiKey: stored.openaiApiKey,
        baseUrl: config.get('OPENAI_BASE_URL'),
        model,
        ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
      },
    };
  }
  const a = stored.assistant;
  const common = {
    ...(a.instructions ? { instructions: a.instructions } : {}),
    ...(a.model ? { model: a.model } : {}),
  };
  switch (a.provider) {
    case 'openai': {
      const apiKey = a.apiKey ?? stored.openaiApiKey;
      if (!apiKey) throw missingKey('OpenAI', 'OpenAI API key');
      return {
        name: 'openai_responses',
        displayName: 'OpenAI',
        memoryKey: 'openai',
        settings: {
          ...common,
          apiKey,
          baseUrl: config.get('OPENAI_BASE_URL'),
          model: a.model ?? config.get('OPENAI_DEFAULT_MODEL'),
        },
      };
    }
    case 'dify': {
      if (!a.apiKey) throw missingKey('Dify', 'Dify app API key');
      return {
        name: 'dify',
        displayName: 'Dify',
        memoryKey: `dify:${fingerprint(a.apiKey)}`,
        settings: {
          ...common,
          apiKey: a.apiKey,
          baseUrl: a.baseUrl ?? config.get('DIFY_BASE_URL'),
        },
      };
    }
    case 'chatbase': {
      if (!a.apiKey) throw missingKey('Chatbase', 'Chatbase API key');
      if (!a.agentId) throw missingKey('Chatbase', 'Chatbase agent id');
      const apiVersion = a.apiVersion ?? 'v2';
      return {
        name: 'chatbase',
        displayName: 'Chatbase',
        memoryKey: `chatbase:${apiVersion}:${a.agentId}`,
        settings: {
          ...common,
          apiKey: a.apiKey,
          baseUrl: a.baseUrl ?? config.get('CHATBASE_BASE_URL'),
          agentId: a.agentId,
          apiVersion,
        },
      };
    }
    case 'openai_compatible': {
      const host = a.baseUrl ? safeHost(a.baseUrl) : 'OpenAI-compatible';
      if (!a.baseUrl) throw missingKey(host, 'base URL');
      if (!a.apiKey) throw missingKey(host, 'API key');
      if (!a.model) throw missingKey(host, 'model name');
      return {
        name: 'openai_compatible',
        displayName: host,
        memoryKey: `compatible:${host}`,
        settings: { ...common, apiKey: a.apiKey, baseUrl: a.baseUrl, model: a.model },
      };
    }
  }
}

/** Distinguishes keys (another Dify app) without storing anything derived that is usable. */
function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'OpenAI-compatible';
  }
}
