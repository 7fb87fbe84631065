import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { type WebhookKind } from '../installations/webhook-token';
import { type RequestOutcome, type RequestParams } from './ai-request.types';
import { ProviderError } from '../../integrations/ai-providers/provider-error';
import { ProviderRegistry } from '../../integrations/ai-providers/provider-registry';
import { routeRequest } from './provider-routing';
import { type StoredProviderSettings } from './provider-settings.service';
import { type PreparedInput } from './media/media-preparer';
import {
  type ConversationMemory,
  type JsonResponseFormat,
} from '../../integrations/ai-providers/provider.types';
import { RetriesExhausted, withRetries } from './retry-policy';

export type AskProviderInput = {
  kind: WebhookKind;
  params: RequestParams;
  stored: StoredProviderSettings;
  input: PreparedInput;
  /** The memory for the chosen provider (its key separates apps and agents). */
  memoryFor(memoryKey: string): ConversationMemory;
  /** The provider's end-user id. */
  user: string;
  /** An earlier start of this request's provider step may have reached the provider. */
  resume?: boolean;
  /** `?extract=`: the strict JSON schema and the developer message that asks for it. */
  extraction?: { format: JsonResponseFormat; instructions: string };
};

/**
 * The provider step every request takes, from a webhook or the widget's test console: route to
 * the account's provider, call it within the retry budget, and turn the result or the last
 * failure into an outcome a person can read.
 */
@Injectable()
export class AskProvider {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly config: AppConfig,
  ) {}

  async run(call: AskProviderInput): Promise<RequestOutcome> {
    const started = Date.now();
    let route: ReturnType<typeof routeRequest> | undefined;
    try {
      const hasImages = call.input.images.length > 0;
      route = routeRequest(call.kind, call.params, call.stored, this.config, hasImages);
      const provider = this.registry.get(route.name);
      const extraction = call.extraction;
      // Structured outputs exist on OpenAI only (docs/ai-providers.md §1.11); the pipeline asks
      // for them on the ChatGPT webhook alone, so another route here is our bug, not the account's.
      if (extraction && route.name !== 'openai_chat') {
        throw new Error(`structured outputs asked of ${route.name}`);
      }
      const chosen = extraction
        ? { ...route, settings: { ...route.settings, instructions: extraction.instructions } }
        : route;
      const memory = call.memoryFor(chosen.memoryKey);
      const { value } = await withRetries(
        (timeoutMs, attemptNo) =>
          provider.complete({
            input: { text: call.input.text, images: call.input.images },
            settings: chosen.settings,
            memory,
            user: call.user,
            timeoutMs,
            // A failed attempt (a timeout, a 5xx) may still have been answered on the provider's side.
            resume: call.resume === true || attemptNo > 1,
            ...(extraction ? { responseFormat: extraction.format } : {}),
          }),
        {
          budgetMs: this.config.get('AI_RETRY_BUDGET_MS'),
          attemptTimeoutMs: this.config.get('AI_ATTEMPT_TIMEOUT_MS'),
        },
      );
      return {
        kind: 'answer',
        answer: value.text,
        logLine: ['ok', ...call.input.tags].join(' '),
        provider: chosen.name,
        model: value.model,
        latencyMs: Date.now() - started,
        inputTokens: value.usage?.inputTokens ?? null,
        outputTokens: value.usage?.outputTokens ?? null,
        totalTokens: value.usage?.totalTokens ?? null,
        memory: value.memory ? { providerKey: chosen.memoryKey, state: value.memory } : null,
        recovered: value.recovered === true,
      };
    } catch (error) {
      const failure =
        error instanceof RetriesExhausted
          ? error.last
          : error instanceof ProviderError
            ? error
            : null;
      if (!failure) throw error;
      return {
        kind: 'error',
        logLine: failure.logLine(),
        errorClass: failure.errorClass,
        errorMessage: failure.message,
        provider: route?.name ?? null,
        model: route?.settings.model ?? null,
        latencyMs: Date.now() - started,
        stopBot: false,
        refused: false,
      };
    }
  }
}
