import {
  type ChatCompletionCreateParamsNonStreaming,
  type ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { ProviderError } from './provider-error';
import {
  type AiInput,
  type AiProvider,
  type ChatTurn,
  type FetchLike,
  type ProviderAnswer,
  type ProviderCall,
} from './provider.types';
import { chatCompletionAnswer, requireModel, userChatMessage } from './openai-chat.provider';
import { createOpenAiClient } from './openai-client';
import { mapOpenAiError } from './openai-errors';

export const HISTORY_MAX_TURNS = 20;
export const HISTORY_MAX_CHARS = 24_000;

/**
 * Any OpenAI-compatible Chat Completions server (OpenRouter, Groq, DeepSeek…). These keep no
 * conversations, so we store the lead's recent turns ourselves and send them every time.
 */
export class OpenAiCompatibleProvider implements AiProvider {
  readonly name = 'openai_compatible' as const;

  constructor(private readonly deps: { fetch: FetchLike }) {}

  async complete(call: ProviderCall): Promise<ProviderAnswer> {
    const { settings, memory } = call;
    const provider = endpointHost(settings.baseUrl);
    const model = requireModel(settings.model, provider);
    const client = createOpenAiClient({
      apiKey: settings.apiKey,
      baseUrl: settings.baseUrl,
      fetch: this.deps.fetch,
      timeoutMs: call.timeoutMs,
      provider,
    });
    const state = await memory.load();
    // Trimmed on the way out too: memory written by an older version may hold more.
    const history = trimHistory(state.history ?? []);
    const instructions = settings.instructions?.trim();
    const maxTokens = positiveInteger(settings.maxOutputTokens);
    const messages: ChatCompletionMessageParam[] = [
      // `system`, not `developer`: many compatible servers only know the older role.
      ...(instructions ? [{ role: 'system' as const, content: instructions }] : []),
      ...history.map((turn) => ({ role: turn.role, content: turn.content })),
      userChatMessage(call.input),
    ];
    const body: ChatCompletionCreateParamsNonStreaming = {
      model,
      messages,
      // Only the current field: `max_tokens` is refused by OpenAI's reasoning models behind gateways.
      ...(maxTokens !== undefined ? { max_completion_tokens: maxTokens } : {}),
    };
    let answer: ProviderAnswer;
    try {
      const { data, request_id } = await client.chat.completions
        .create(body, { signal: call.signal })
        .withResponse();
      answer = chatCompletionAnswer(data, { provider, model, requestId: request_id });
    } catch (error) {
      throw mapOpenAiError(error, {
        provider,
        model,
        apiKey: settings.apiKey,
        timeoutMs: call.timeoutMs,
      });
    }
    // Stored with the outcome (ConversationMemory): a lost answer must not stay in the history.
    answer.memory = {
      ...state,
      history: trimHistory([
        ...history,
        { role: 'user', content: userTurnText(call.input) },
        { role: 'assistant', content: answer.text },
      ]),
    };
    return answer;
  }
}

/** The base URL's host as the name people know the service by ("openrouter.ai"). */
export function endpointHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host || 'AI endpoint';
  } catch {
    throw new ProviderError({
      provider: 'AI endpoint',
      errorClass: 'config',
      message: 'the API base URL is not a valid URL',
    });
  }
}

/**
 * The most recent turns that fit both caps, oldest dropped first, starting with a user turn
 * (some chat templates reject a conversation that opens with the assistant).
 */
export function trimHistory(
  turns: ChatTurn[],
  maxTurns = HISTORY_MAX_TURNS,
  maxChars = HISTORY_MAX_CHARS,
): ChatTurn[] {
  const kept: ChatTurn[] = [];
  let chars = 0;
  for (let index = turns.length - 1; index >= 0 && kept.length < maxTurns; index -= 1) {
    const turn = turns[index];
    if (!turn) continue;
    if (chars + turn.content.length > maxChars) break;
    chars += turn.content.length;
    kept.unshift(turn);
  }
  while (kept[0]?.role === 'assistant') kept.shift();
  return kept;
}

/** Images are not kept; a marker tells later turns that the customer sent some. */
function userTurnText(input: AiInput): string {
  const count = input.images.length;
  if (count === 0) return input.text;
  const marker = `[${count} image${count === 1 ? '' : 's'}]`;
  return input.text ? `${input.text}\n${marker}` : marker;
}

function positiveInteger(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.floor(value);
}
