import {
  type ChatCompletion,
  type ChatCompletionCreateParamsNonStreaming,
  type ChatCompletionMessageParam,
  type ChatCompletionUserMessageParam,
} from 'openai/resources/chat/completions';
import { ProviderError } from './provider-error';
import {
  type AiInput,
  type AiProvider,
  type FetchLike,
  type ProviderAnswer,
  type ProviderCall,
  type TokenUsage,
} from './provider.types';
import { clampOutputTokens, isReasoningModel } from './model-limits';
import { createOpenAiClient } from './openai-client';
import { mapOpenAiError } from './openai-errors';

const PROVIDER = 'OpenAI';

/**
 * The ChatGPT webhook: one stateless Chat Completions call per message, with the account's
 * instructions as a `developer` message.
 */
export class OpenAiChatProvider implements AiProvider {
  readonly name = 'openai_chat' as const;

  constructor(private readonly deps: { fetch: FetchLike }) {}

  async complete(call: ProviderCall): Promise<ProviderAnswer> {
    const { settings } = call;
    const model = requireModel(settings.model, PROVIDER);
    const client = createOpenAiClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      fetch: this.deps.fetch,
      timeoutMs: call.timeoutMs,
    });
    const maxTokens = clampOutputTokens(model, settings.maxOutputTokens);
    const instructions = settings.instructions?.trim();
    const messages: ChatCompletionMessageParam[] = [
      ...(instructions ? [{ role: 'developer' as const, content: instructions }] : []),
      userChatMessage(call.input),
    ];
    const body: ChatCompletionCreateParamsNonStreaming = {
      model,
      messages,
      // `max_tokens` is deprecated and refused by reasoning models.
      ...(maxTokens !== undefined ? { max_completion_tokens: maxTokens } : {}),
      // Reasoning counts against the cap; low effort leaves most of it for the visible answer.
      ...(isReasoningModel(model) ? { reasoning_effort: 'low' as const } : {}),
      ...(call.responseFormat
        ? {
            response_format: {
              type: 'json_schema' as const,
              json_schema: { ...call.responseFormat, strict: true },
            },
          }
        : {}),
    };
    try {
      const { data, request_id } = await client.chat.completions
        .create(body, { signal: call.signal })
        .withResponse();
      return chatCompletionAnswer(data, { provider: PROVIDER, model, requestId: request_id });
    } catch (error) {
      throw mapOpenAiError(error, {
        provider: PROVIDER,
        model,
        apiKey: settings.apiKey,
        timeoutMs: call.timeoutMs,
      });
    }
  }
}

export function requireModel(model: string | undefined, provider: string): string {
  const trimmed = model?.trim();
  if (!trimmed) {
    throw new ProviderError({
      provider,
      errorClass: 'config',
      message: 'no model chosen; set one in the widget settings',
    });
  }
  return trimmed;
}

/** The customer's message: plain text, or text plus inlined images as content parts. */
export function userChatMessage(input: AiInput): ChatCompletionUserMessageParam {
  if (input.images.length === 0) return { role: 'user', content: input.text };
  return {
    role: 'user',
    content: [
      ...(input.text ? [{ type: 'text' as const, text: input.text }] : []),
      ...input.images.map((image) => ({
        type: 'image_url' as const,
        image_url: { url: image.dataUrl },
      })),
    ],
  };
}

/** The first choice's text, or an `empty_answer` error that says why there is none. */
export function chatCompletionAnswer(
  completion: ChatCompletion,
  context: { provider: string; model: string; requestId?: string | null },
): ProviderAnswer {
  const choice = completion.choices[0];
  const message = choice?.message;
  // A refusal is still something the model said to the customer.
  const text = message?.content?.trim() ? message.content : (message?.refusal ?? '');
  if (!text.trim()) {
    const reason =
      choice?.finish_reason === 'length'
        ? 'the token limit was reached; raise ?tokens='
        : choice?.finish_reason === 'content_filter'
          ? 'blocked by the content filter'
          : choice?.finish_reason === 'tool_calls' || choice?.finish_reason === 'function_call'
            ? 'the model asked for a tool call'
            : `finish_reason ${choice?.finish_reason ?? 'missing'}`;
    throw new ProviderError({
      provider: context.provider,
      errorClass: 'empty_answer',
      message: `empty answer (${reason})`,
    });
  }
  const answer: ProviderAnswer = { text, model: completion.model || context.model };
  const usage = chatUsage(completion);
  if (usage) answer.usage = usage;
  if (context.requestId) answer.requestId = context.requestId;
  return answer;
}

function chatUsage(completion: ChatCompletion): TokenUsage | undefined {
  const usage = completion.usage;
  if (!usage) return undefined;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    totalTokens: usage.total_tokens,
  };
}
