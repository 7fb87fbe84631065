import { type TestConsoleInput, type TestConsoleResult } from '@gpt-bridge/shared';
import { Injectable } from '@nestjs/common';
import { type Installation } from '../installations/installation.entity';
import { AskProvider } from './ask-provider';
import { ProviderSettingsService } from './provider-settings.service';
import {
  type ConversationMemory,
  type ConversationState,
} from '../../integrations/ai-providers/provider.types';

/** A memory that lives for one call: a test prompt must not join any lead's conversation. */
function throwawayMemory(): ConversationMemory {
  let state: ConversationState = {};
  return {
    load: () => Promise.resolve(state),
    save: (next) => {
      state = next;
      return Promise.resolve();
    },
  };
}

/**
 * The widget's test console: the prompt goes through the same provider step as a webhook request
 * (the account's settings, routing, retries, error lines), without a lead, a Kommo write or a
 * usage count.
 */
@Injectable()
export class TestConsole {
  constructor(
    private readonly settings: ProviderSettingsService,
    private readonly ask: AskProvider,
  ) {}

  async run(installation: Installation, input: TestConsoleInput): Promise<TestConsoleResult> {
    const outcome = await this.ask.run({
      kind: input.kind,
      params: {},
      stored: await this.settings.load(installation.id),
      input: { text: input.prompt, images: [], tags: [] },
      memoryFor: throwawayMemory,
      user: `kommo-${installation.kommoAccountId}-test-console`,
    });
    if (outcome.kind === 'answer') {
      return {
        ok: true,
        answer: outcome.answer,
        provider: outcome.provider,
        model: outcome.model,
        latencyMs: outcome.latencyMs,
        totalTokens: outcome.totalTokens,
      };
    }
    return {
      ok: false,
      error: outcome.logLine,
      errorClass: outcome.errorClass,
      provider: outcome.provider,
      model: outcome.model,
      latencyMs: outcome.latencyMs,
    };
  }
}
