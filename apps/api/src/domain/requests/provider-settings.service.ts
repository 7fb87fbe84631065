import {
  type AssistantProviderName,
  type ProviderSettingsInput,
  type ProviderSettingsView,
} from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box';
import { OutboundHttp } from '../../integrations/outbound/outbound-http.service';
import { RequestError } from './request-errors';
import {
  type ProviderSettingsColumns,
  ProviderSettingsRepository,
} from './provider-settings.repository';

/** Provider settings with keys decrypted: only the pipeline holds this. */
export type StoredProviderSettings = {
  openaiApiKey: string | null;
  assistant: {
    provider: AssistantProviderName;
    apiKey: string | null;
    model: string | null;
    instructions: string | null;
    baseUrl: string | null;
    agentId: string | null;
    apiVersion: 'v1' | 'v2' | null;
  };
};

const openAiKeyContext = (id: string) => `provider_settings.openai_api_key:${id}`;
const assistantKeyContext = (id: string) => `provider_settings.assistant_api_key:${id}`;

// OpenAI shut both down (docs/ai-providers.md §1.10): a pasted id gets a clear error, not a call.
const RETIRED_OPENAI_ID = /^(asst|pmpt)_[A-Za-z0-9]+$/;

/** Reads, masks and saves an installation's provider settings; keys are encrypted at rest. */
@Injectable()
export class ProviderSettingsService {
  constructor(
    private readonly settings: ProviderSettingsRepository,
    private readonly box: SecretBox,
    private readonly outbound: OutboundHttp,
  ) {}

  async load(installationId: string): Promise<StoredProviderSettings> {
    const row = await this.row(installationId);
    const decrypt = (value: string | null, context: string) =>
      value === null ? null : this.box.decrypt(value, context);
    return {
      openaiApiKey: decrypt(row.openaiApiKeyEnc, openAiKeyContext(installationId)),
      assistant: {
        provider: row.assistantProvider,
        apiKey: decrypt(row.assistantApiKeyEnc, assistantKeyContext(installationId)),
        model: row.assistantModel,
        instructions: row.assistantInstructions,
        baseUrl: row.assistantBaseUrl,
        agentId: row.assistantAgentId,
        apiVersion: row.assistantApiVersion,
      },
    };
  }

  /** What the widget shows: keys only as a hint such as `sk-t…9f3a`. */
  async view(installationId: string): Promise<ProviderSettingsView> {
    const settings = await this.load(installationId);
    return {
      openaiApiKey: mask(settings.openaiApiKey),
      assistant: { ...settings.assistant, apiKey: mask(settings.assistant.apiKey) },
    };
  }

  async save(installationId: string, input: ProviderSettingsInput): Promise<ProviderSettingsView> {
    const current = await this.load(installationId);
    const next: StoredProviderSettings = {
      openaiApiKey: input.openaiApiKey === undefined ? current.openaiApiKey : input.openaiApiKey,
      assistant: { ...current.assistant },
    };
    if (input.assistant) {
      const a = input.assistant;
      const keep = <T>(value: T | undefined, old: T): T => (value === undefined ? old : value);
      next.assistant = {
        provider: a.provider,
        apiKey: keep(a.apiKey, current.assistant.apiKey),
        model: keep(a.model, current.assistant.model),
        instructions: keep(a.instructions, current.assistant.instructions),
        baseUrl: keep(a.baseUrl, current.assistant.baseUrl)?.replace(/\/+$/, '') ?? null,
        agentId: keep(a.agentId, current.assistant.agentId),
        apiVersion: keep(a.apiVersion, current.assistant.apiVersion),
      };
    }
    const problems = this.problems(next);
    if (problems.length > 0) {
      throw new RequestError('invalid_settings', problems.join('; '), { problems });
    }
    const encrypt = (value: string | null, context: string) =>
      value === null ? null : this.box.encrypt(value, context);
    const a = next.assistant;
    await this.settings.upsert({
      installationId,
      openaiApiKeyEnc: encrypt(next.openaiApiKey, openAiKeyContext(installationId)),
      assistantProvider: a.provider,
      assistantApiKeyEnc: encrypt(a.apiKey, assistantKeyContext(installationId)),
      assistantModel: a.model,
      assistantInstructions: a.instructions,
      assistantBaseUrl: a.baseUrl,
      assistantAgentId: a.agentId,
      assistantApiVersion: a.apiVersion,
    });
    return this.view(installationId);
  }

  /** Messages a person can act on, one per problem. */
  private problems(settings: StoredProviderSettings): string[] {
    const a = settings.assistant;
    const problems: string[] = [];
    for (const value of [a.model, a.agentId, a.instructions?.trim() ?? null]) {
      if (value && RETIRED_OPENAI_ID.test(value)) {
        problems.push(
          `${value.slice(0, 5)}... ids no longer work: OpenAI shut down Assistants (2026-08-26) and prompt objects (2026-11-30). Paste the assistant's instructions and choose a model instead`,
        );
      }
    }
    if (a.baseUrl) {
      try {
        this.outbound.check(a.baseUrl);
      } catch (error) {
        problems.push(`base URL refused: ${(error as Error).message}`);
      }
    }
    switch (a.provider) {
      case 'openai':
        if (!a.apiKey && !settings.openaiApiKey) problems.push('OpenAI needs an API key');
        break;
      case 'dify':
        if (!a.apiKey) problems.push('Dify needs the app API key (app-...)');
        break;
      case 'chatbase':
        if (!a.apiKey) problems.push('Chatbase needs an API key');
        if (!a.agentId) problems.push('Chatbase needs the agent (chatbot) id');
        break;
      case 'openai_compatible':
        if (!a.baseUrl) problems.push('an OpenAI-compatible provider needs its base URL');
        if (!a.apiKey) problems.push('an OpenAI-compatible provider needs an API key');
        if (!a.model) problems.push('an OpenAI-compatible provider needs a model name');
        break;
    }
    return problems;
  }

  private async row(installationId: string): Promise<ProviderSettingsColumns> {
    return (
      (await this.settings.find(installationId)) ?? {
        installationId,
        openaiApiKeyEnc: null,
        assistantProvider: 'openai',
        assistantApiKeyEnc: null,
        assistantModel: null,
        assistantInstructions: null,
        assistantBaseUrl: null,
        assistantAgentId: null,
        assistantApiVersion: null,
      }
    );
  }
}

/** `sk-t…9f3a`: enough to recognise a key, never enough to use it. */
export function mask(key: string | null): { set: boolean; hint: string | null } {
  if (!key) return { set: false, hint: null };
  return { set: true, hint: key.length >= 16 ? `${key.slice(0, 4)}…${key.slice(-4)}` : '…' };
}
