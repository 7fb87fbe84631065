/**
 * The contract between the AI pipeline and each provider. A provider turns one prompt (plus
 * media already downloaded) into one answer, keeps its per-lead memory through `memory`, and
 * throws ProviderError for everything that goes wrong. It never retries: the pipeline does.
 */

/** Which code path answers: the ChatGPT webhook always uses `openai_chat`. */
export type ProviderName =
  'openai_chat' | 'openai_responses' | 'openai_compatible' | 'dify' | 'chatbase';

/** What an account chooses for its Assistant webhook (stored in provider settings). */
export { type AssistantProviderName as AssistantProvider } from '@gpt-bridge/shared';

/** An image from the customer's message, downloaded and inlined (Kommo CDN URLs expire). */
export type AiImage = { dataUrl: string; mimeType: string };

export type AiInput = {
  /** The prompt; a voice note's transcript is already part of it. */
  text: string;
  images: AiImage[];
};

export type ChatTurn = { role: 'user' | 'assistant'; content: string };

/** Per lead and provider: a server-side conversation id, or the history we keep ourselves. */
export type ConversationState = {
  conversationId?: string;
  history?: ChatTurn[];
  /**
   * OpenAI Conversations: the id of the newest item of the conversation when its last answer was
   * stored ('' for a conversation we started empty). Items after it belong to the request in work.
   */
  cursor?: string;
};

/**
 * `save` writes at once, for what must hold before the paid call (a new conversation's id). What
 * changes with an answer is returned in `ProviderAnswer.memory` instead, and stored in the same
 * statement as the outcome, so a crash cannot keep one without the other.
 */
export interface ConversationMemory {
  load(): Promise<ConversationState>;
  save(state: ConversationState): Promise<void>;
}

/** Resolved settings for one call; keys are plain text here and only here. */
export type ProviderSettings = {
  apiKey: string;
  /** API root, e.g. `https://api.openai.com/v1`, `https://api.dify.ai/v1`, `https://www.chatbase.co/api`. */
  baseUrl: string;
  model?: string;
  instructions?: string;
  /** Chatbase agent (v2) or chatbot (v1) id. */
  agentId?: string;
  /** Chatbase API version. */
  apiVersion?: 'v1' | 'v2';
  /** Output cap (already clamped to the model's limit). */
  maxOutputTokens?: number;
};

/**
 * OpenAI structured outputs (docs/ai-providers.md §1.11): a strict JSON schema the answer must
 * follow. Only `openai_chat` sends it; the pipeline never gives it to the others (Dify and
 * Chatbase have no such field and would answer text).
 */
export type JsonResponseFormat = { name: string; schema: Record<string, unknown> };

export type ProviderCall = {
  input: AiInput;
  responseFormat?: JsonResponseFormat;
  settings: ProviderSettings;
  memory: ConversationMemory;
  /** Stable per lead, e.g. `kommo-31999001-4401`: Dify's `user`, Chatbase's `userId`. */
  user: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * An earlier ask of this request may have reached the provider (a worker died before storing
   * its outcome, or an attempt timed out): a provider that can find that answer returns it
   * instead of asking again.
   */
  resume?: boolean;
};

export type TokenUsage = { inputTokens: number; outputTokens: number; totalTokens: number };

export type ProviderAnswer = {
  text: string;
  /** The model that answered, as the provider reports it (or the one we asked for). */
  model: string;
  usage?: TokenUsage;
  /** The provider's request id (e.g. OpenAI `x-request-id`), for support. */
  requestId?: string;
  /** The lead's memory after this answer, stored with the outcome; absent: unchanged. */
  memory?: ConversationState;
  /** Read back from the provider's record of an earlier ask: no new call was paid for. */
  recovered?: boolean;
};

export interface AiProvider {
  readonly name: ProviderName;
  complete(call: ProviderCall): Promise<ProviderAnswer>;
}

export type { FetchLike } from '../outbound/fetch-like';
