import { ProviderError, type ProviderErrorClass, retryAfterMs } from './provider-error';
import {
  type AiProvider,
  type ConversationState,
  type FetchLike,
  type ProviderAnswer,
  type ProviderCall,
  type TokenUsage,
} from './provider.types';
import { cleanMessage, isRecord, joinUrl, type JsonResponse, postJson } from './http-json';

const PROVIDER = 'Dify';

/**
 * Dify Chat / Chatflow apps over `POST /chat-messages` in blocking mode. The app (its prompt,
 * model and knowledge) lives in Dify, so `instructions` and `maxOutputTokens` are not sent; the
 * conversation lives there too, and we keep only its id per lead.
 */
export class DifyProvider implements AiProvider {
  readonly name = 'dify' as const;

  constructor(private readonly deps: { fetch: FetchLike }) {}

  async complete(call: ProviderCall): Promise<ProviderAnswer> {
    const { settings } = call;
    if (!settings.apiKey) throw configError('no API key saved');
    if (!settings.baseUrl) throw configError('no base URL saved');
    if (call.input.text.trim() === '') {
      throw new ProviderError({
        provider: PROVIDER,
        errorClass: 'bad_request',
        message: 'nothing to send: the message has no text',
      });
    }

    const deadline = Date.now() + call.timeoutMs;
    const state = await call.memory.load();
    const stored = state.conversationId;
    let response = await this.send(call, stored, deadline);
    let current = stored;
    if (stored && isLostConversation(response)) {
      // Deleted in Dify or the app was swapped: forget it and start afresh, once.
      current = undefined;
      await call.memory.save(withoutConversation(state));
      response = await this.send(call, undefined, deadline);
    }
    if (response.status < 200 || response.status >= 300) {
      throw difyError(response, settings.apiKey);
    }

    const body = isRecord(response.body) ? response.body : {};
    const conversationId = body.conversation_id;
    const started =
      typeof conversationId === 'string' && conversationId && conversationId !== current
        ? { ...withoutConversation(state), conversationId }
        : undefined;
    const answer = typeof body.answer === 'string' ? body.answer.trim() : '';
    if (!answer) {
      // An empty answer ends as an error line, which carries no memory: keep the conversation now.
      if (started) await call.memory.save(started);
      throw new ProviderError({
        provider: PROVIDER,
        errorClass: 'empty_answer',
        status: response.status,
        message: 'the app answered without text',
      });
    }
    const result: ProviderAnswer = { text: answer, model: settings.model ?? 'dify' };
    // Stored with the outcome (ConversationMemory), not on its own.
    if (started) result.memory = started;
    const usage = readUsage(body.metadata);
    if (usage) result.usage = usage;
    // Dify sends no request id header; the message id is what its logs are searched by.
    const requestId = typeof body.message_id === 'string' ? body.message_id : undefined;
    if (requestId) result.requestId = requestId;
    return result;
  }

  private send(
    call: ProviderCall,
    conversationId: string | undefined,
    deadline: number,
  ): Promise<JsonResponse> {
    const body: Record<string, unknown> = {
      inputs: {},
      query: call.input.text,
      response_mode: 'blocking',
      user: call.user,
      // Images are not sent: Dify takes only remote URLs or /files/upload ids, and the sandbox's
      // fake has no /files/upload, so an upload path could not be tested end to end.
    };
    if (conversationId) body.conversation_id = conversationId;
    return postJson({
      provider: PROVIDER,
      fetch: this.deps.fetch,
      url: joinUrl(call.settings.baseUrl, '/chat-messages'),
      headers: { authorization: `Bearer ${call.settings.apiKey}` },
      body,
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: call.signal,
    });
  }
}

function configError(message: string): ProviderError {
  return new ProviderError({ provider: PROVIDER, errorClass: 'config', message });
}

function withoutConversation(state: ConversationState): ConversationState {
  const next = { ...state };
  delete next.conversationId;
  return next;
}

/** Dify's `404 not_found "Conversation Not Exists."`, told apart from a wrong URL's 404. */
function isLostConversation(response: JsonResponse): boolean {
  if (response.status !== 404 || !isRecord(response.body)) return false;
  const { code, message } = response.body;
  return code === 'not_found' && typeof message === 'string' && /conversation/i.test(message);
}

function readUsage(metadata: unknown): TokenUsage | undefined {
  if (!isRecord(metadata) || !isRecord(metadata.usage)) return undefined;
  const { prompt_tokens: input, completion_tokens: output, total_tokens: total } = metadata.usage;
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  return {
    inputTokens: input,
    outputTokens: output,
    totalTokens: typeof total === 'number' ? total : input + output,
  };
}

/** Maps Dify's `{status, code, message}` errors to our classes. */
export function difyError(response: JsonResponse, apiKey: string): ProviderError {
  const { status } = response;
  const body = isRecord(response.body) ? response.body : {};
  const code = typeof body.code === 'string' ? body.code : undefined;
  const message = cleanMessage(body.message, apiKey, `HTTP ${status}`);
  const make = (
    errorClass: ProviderErrorClass,
    text: string,
    extra: { retryAfterMs?: number } = {},
  ) =>
    new ProviderError({
      provider: PROVIDER,
      errorClass,
      message: text,
      status,
      ...(code === undefined ? {} : { code }),
      ...extra,
    });

  if (status === 401) return make('auth', 'invalid API key');
  if (status === 403) return make('auth', message);
  if (code === 'provider_quota_exceeded') return make('billing', message);
  if (status === 429) {
    // `rate_limit_error` is the workspace's quota: waiting a minute does not refill it.
    if (code === 'rate_limit_error') return make('billing', message);
    const wait = retryAfterMs(response.headers);
    return make('rate_limit', message, wait === undefined ? {} : { retryAfterMs: wait });
  }
  if (status === 404) return make('not_found', message);
  if (status === 408 || status === 409 || status >= 500) return make('server', message);
  return make('bad_request', message);
}
