import { type AiRequestStatus, type StoredErrorClass } from '@gpt-bridge/shared';
import { type ConversationState } from '../../integrations/ai-providers/provider.types';

// A request's life: AI_REQUEST_STATUSES in packages/shared.
export type { AiRequestStatus };
// What a failed request keeps in error_class: STORED_ERROR_CLASSES in packages/shared.
export type { StoredErrorClass };

export const PENDING_STATUSES: readonly AiRequestStatus[] = ['queued', 'processing', 'answered'];

/** `classic`: answer into lead fields; `widget`: continue the waiting salesbot. */
export type RequestMode = 'classic' | 'widget';

export type WidgetRequestParams = {
  /** `/api/v4/salesbot/{bot}/continue/{id}`, taken from return_url. */
  continuePath: string;
  /** The block's data with placeholders resolved by Kommo (message, next_step, …). */
  data: Record<string, unknown>;
};

export type RequestParams = {
  /** ChatGPT webhook: `?model=` and `?tokens=`. */
  model?: string;
  tokens?: number;
  widget?: WidgetRequestParams;
  /** Field id → value, when the classic webhook carried the lead's fields (no lead read then). */
  leadFields?: Record<string, string>;
};

/** The prompt as it went to the provider, for the lead card's trace. */
export type PromptSent = {
  text: string;
  /** Turns of our stored history sent with it (0: none, or the provider keeps the conversation). */
  memoryMessages: number;
  /** `image`, `audio`. */
  media: string[];
};

/**
 * What the trace keeps of an ask besides its outcome: the prompt (absent when none was sent) and
 * the estimated cost (absent or null when not known).
 */
export type AskRecord = { prompt?: PromptSent; costUsd?: number | null };

/** What the pipeline decided; stored before anything is written to Kommo. */
export type RequestOutcome =
  | ({
      kind: 'answer';
      answer: string;
      logLine: string;
      provider: string;
      model: string;
      latencyMs: number;
      inputTokens: number | null;
      outputTokens: number | null;
      totalTokens: number | null;
      /** The lead's provider memory after this answer, stored in the outcome's statement. */
      memory: { providerKey: string; state: ConversationState } | null;
      /** Read back from the provider's record of an earlier ask, not asked again. */
      recovered: boolean;
    } & AskRecord)
  | ({
      kind: 'error';
      logLine: string;
      errorClass: StoredErrorClass;
      errorMessage: string;
      provider: string | null;
      model: string | null;
      latencyMs: number | null;
      /** Fill ON_OFF so the template stops (quota, account disabled). */
      stopBot: boolean;
      /** No request body reached a provider, or the quota refused it. */
      refused: boolean;
    } & AskRecord);
