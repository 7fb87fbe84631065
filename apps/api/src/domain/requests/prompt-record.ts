import {
  type ConversationMemory,
  type ConversationState,
} from '../../integrations/ai-providers/provider.types';
import { estimateCostUsd } from '../plans/model-prices';
import { type PreparedInput } from './media/media-preparer';
import { type AskRecord, type RequestOutcome } from './ai-request.types';

/**
 * Watches what the provider step loads from the lead's memory, so the trace can say how much
 * history went with the prompt without the providers reporting it.
 */
export function recordingMemory(memory: ConversationMemory): {
  memory: ConversationMemory;
  messages: () => number;
} {
  let loaded: ConversationState = {};
  return {
    memory: {
      load: async () => {
        loaded = await memory.load();
        return loaded;
      },
      save: (state) => memory.save(state),
    },
    // A provider-held conversation (OpenAI Conversations, Dify, Chatbase v2) sends no history
    // from us: its length is the provider's, and shows as 0.
    messages: () => loaded.history?.length ?? 0,
  };
}

/** `#image` / `#audio` LOG tags as the trace's media kinds. */
export function mediaKinds(input: Pick<PreparedInput, 'tags'>): string[] {
  return input.tags.map((tag) => tag.replace(/^#/, ''));
}

/** The outcome with what was sent and its estimated cost. */
export function withAskRecord(
  outcome: RequestOutcome,
  input: PreparedInput,
  memoryMessages: number,
): RequestOutcome {
  const record: AskRecord = {
    prompt: { text: input.text, memoryMessages, media: mediaKinds(input) },
    costUsd:
      outcome.kind === 'answer'
        ? estimateCostUsd({
            provider: outcome.provider,
            model: outcome.model,
            inputTokens: outcome.inputTokens,
            outputTokens: outcome.outputTokens,
          })
        : null,
  };
  return { ...outcome, ...record };
}
