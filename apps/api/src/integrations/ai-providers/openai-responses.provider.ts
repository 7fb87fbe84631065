import { APIError } from 'openai';
import {
  type Response,
  type ResponseCreateParamsNonStreaming,
  type ResponseInputItem,
} from 'openai/resources/responses/responses';
import { ProviderError } from './provider-error';
import {
  type AiInput,
  type AiProvider,
  type FetchLike,
  type ProviderAnswer,
  type ProviderCall,
  type ProviderSettings,
} from './provider.types';
import { clampOutputTokens, isReasoningModel } from './model-limits';
import { requireModel } from './openai-chat.provider';
import { createOpenAiClient } from './openai-client';
import { clean, mapOpenAiError } from './openai-errors';
import { recordedTurn } from './openai-recovered-turn';

const PROVIDER = 'OpenAI';
/** The Responses API refuses smaller caps. */
const MIN_OUTPUT_TOKENS = 16;

const SHUT_DOWN: readonly { prefix: string; message: string }[] = [
  {
    prefix: 'asst_',
    message:
      "Assistants (asst_...) were shut down by OpenAI on 2026-08-26; paste your assistant's instructions and model into the widget instead",
  },
  {
    prefix: 'pmpt_',
    message:
      "prompt objects (pmpt_...) are shut down by OpenAI on 2026-11-30; paste your prompt's instructions and model into the widget instead",
  },
];

/**
 * The Assistant webhook on OpenAI: our stored instructions and model through the Responses API,
 * with one server-side Conversation per lead (the successor of Assistants threads). On a resumed
 * request the answer an earlier ask left in the conversation is read back instead of paid for
 * again (openai-recovered-turn.ts).
 */
export class OpenAiResponsesProvider implements AiProvider {
  readonly name = 'openai_responses' as const;

  constructor(private readonly deps: { fetch: FetchLike }) {}

  async complete(call: ProviderCall): Promise<ProviderAnswer> {
    const { settings, memory } = call;
    refuseShutDownIds(settings);
    const model = requireModel(settings.model, PROVIDER);
    const client = createOpenAiClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      fetch: this.deps.fetch,
      timeoutMs: call.timeoutMs,
    });
    const mapError = (error: unknown) =>
      mapOpenAiError(error, {
        provider: PROVIDER,
        model,
        apiKey: settings.apiKey,
        timeoutMs: call.timeoutMs,
      });

    const state = await memory.load();
    // Saved before the first response, so a lead whose first call fails keeps its conversation.
    const startConversation = async (): Promise<string> => {
      const conversation = await client.conversations
        .create(
          { metadata: { source: 'gpt-bridge', user: call.user.slice(0, 512) } },
          { signal: call.signal },
        )
        .catch((error: unknown) => {
          throw mapError(error);
        });
      // A conversation we create holds no items: every item after '' is this lead's.
      await memory.save({ ...state, conversationId: conversation.id, cursor: '' });
      return conversation.id;
    };

    const body = (conversation: string): ResponseCreateParamsNonStreaming => {
      const cap = clampOutputTokens(model, settings.maxOutputTokens);
      const instructions = settings.instructions?.trim();
      return {
        model,
        conversation,
        input: [userResponseMessage(call.input)],
        ...(instructions ? { instructions } : {}),
        ...(cap !== undefined ? { max_output_tokens: Math.max(MIN_OUTPUT_TOKENS, cap) } : {}),
        // Reasoning counts against the cap; low effort keeps the webhook quick and the answer whole.
        ...(isReasoningModel(model) ? { reasoning: { effort: 'low' as const } } : {}),
      };
    };
    const respond = (conversation: string) =>
      client.responses.create(body(conversation), { signal: call.signal }).withResponse();

    // Ids from before the Conversations API (Assistants `thread_...`) cannot be used any more.
    let conversationId = state.conversationId?.startsWith('conv_')
      ? state.conversationId
      : await startConversation();
    // A conversation made just now holds nothing to recover.
    const cursor = conversationId === state.conversationId ? state.cursor : undefined;
    if (call.resume && cursor !== undefined) {
      const recovered = await recordedTurn(
        client,
        conversationId,
        cursor,
        call.input,
        call.signal,
      ).catch((error: unknown) => {
        // Reading back saves a call and must never fail the request: a passing failure is retried,
        // anything else (a conversation or cursor item gone, a refusal) falls back to asking.
        const mapped = mapError(error);
        if (mapped.retryable) throw mapped;
        return null;
      });
      if (recovered) {
        return {
          text: recovered.text,
          model,
          recovered: true,
          memory: { ...state, conversationId, cursor: recovered.cursor },
        };
      }
    }
    let result: Awaited<ReturnType<typeof respond>>;
    try {
      result = await respond(conversationId);
    } catch (error) {
      if (!isConversationNotFound(error)) throw mapError(error);
      // Deleted or unknown on OpenAI's side: the lead starts over in a new conversation, once.
      conversationId = await startConversation();
      try {
        result = await respond(conversationId);
      } catch (retryError) {
        throw mapError(retryError);
      }
    }
    const answer = responseAnswer(result.data, { model, requestId: result.request_id });
    // The turn's last output item is the conversation's newest item: where a retry looks after.
    const newest = result.data.output.at(-1)?.id;
    const next = { ...state, conversationId };
    if (newest) next.cursor = newest;
    else delete next.cursor;
    answer.memory = next;
    return answer;
  }
}

/** Customers still paste `asst_...`/`pmpt_...` ids; both are dead, so fail without a call. */
function refuseShutDownIds(settings: ProviderSettings): void {
  const ids = [settings.model, settings.agentId].map((value) => value?.trim() ?? '');
  // Instructions count only when they are nothing but an id (a paste into the wrong field).
  const instructions = settings.instructions?.trim() ?? '';
  if (/^[a-z]+_[A-Za-z0-9]+$/.test(instructions)) ids.push(instructions);
  const dead = SHUT_DOWN.find(({ prefix }) => ids.some((id) => id.startsWith(prefix)));
  if (dead) {
    throw new ProviderError({ provider: PROVIDER, errorClass: 'config', message: dead.message });
  }
}

function isConversationNotFound(error: unknown): boolean {
  if (!(error instanceof APIError) || error.status !== 404) return false;
  if (error.code === 'model_not_found') return false;
  return error.param === 'conversation' || /conversation/i.test(error.message);
}

export function userResponseMessage(input: AiInput): ResponseInputItem.Message {
  return {
    type: 'message',
    role: 'user',
    content: [
      ...(input.text || input.images.length === 0
        ? [{ type: 'input_text' as const, text: input.text }]
        : []),
      ...input.images.map((image) => ({
        type: 'input_image' as const,
        image_url: image.dataUrl,
        detail: 'auto' as const,
      })),
    ],
  };
}

/**
 * The answer from `output[]` message items. The SDK's `output_text` is a client-side
 * convenience that raw HTTP bodies (and our sandbox) do not carry.
 */
export function responseAnswer(
  response: Response,
  context: { model: string; requestId?: string | null },
): ProviderAnswer {
  if (response.status === 'failed') {
    throw new ProviderError({
      provider: PROVIDER,
      errorClass: 'server',
      message: `response failed: ${clean(response.error?.message ?? '') ?? 'no reason given'}`,
      ...(response.error?.code ? { code: response.error.code } : {}),
    });
  }
  const texts: string[] = [];
  const refusals: string[] = [];
  for (const item of response.output ?? []) {
    if (item.type !== 'message') continue;
    for (const part of item.content) {
      if (part.type === 'output_text') texts.push(part.text);
      else if (part.type === 'refusal') refusals.push(part.refusal);
    }
  }
  // A refusal is still something the model said to the customer.
  const text = texts.join('').trim() ? texts.join('') : refusals.join('');
  if (response.status === 'incomplete' || !text.trim()) {
    const reason = response.incomplete_details?.reason;
    throw new ProviderError({
      provider: PROVIDER,
      errorClass: 'empty_answer',
      message:
        reason === 'max_output_tokens'
          ? `${text.trim() ? 'answer cut off' : 'empty answer'} (the token limit was reached; raise ?tokens=)`
          : reason === 'content_filter'
            ? 'empty answer (blocked by the content filter)'
            : `empty answer (status ${response.status ?? 'missing'})`,
    });
  }
  const answer: ProviderAnswer = { text, model: response.model || context.model };
  if (response.usage) {
    answer.usage = {
      inputTokens: response.usage.input_tokens,
      outputTokens: response.usage.output_tokens,
      totalTokens: response.usage.total_tokens,
    };
  }
  if (context.requestId) answer.requestId = context.requestId;
  return answer;
}
