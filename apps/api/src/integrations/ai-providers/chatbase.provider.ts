import { ProviderError, type ProviderErrorClass, retryAfterMs } from './provider-error';
import {
  type AiProvider,
  type ChatTurn,
  type ConversationState,
  type FetchLike,
  type ProviderAnswer,
  type ProviderCall,
} from './provider.types';
import { cleanMessage, isRecord, joinUrl, type JsonResponse, postJson } from './http-json';

const PROVIDER = 'Chatbase';

/** v1 resends the whole history each turn; these bound what we keep and send. */
export const V1_HISTORY_MAX_TURNS = 20;
export const V1_HISTORY_MAX_CHARS = 24_000;

const BILLING_CODES = new Set([
  'CHAT_CREDITS_EXHAUSTED',
  'CHAT_AGENT_CREDITS_EXHAUSTED',
  'SUBSCRIPTION_PLAN_REQUIRED',
]);

/**
 * Chatbase agents. v2 (default) keeps the conversation server-side and we store its id; v1 is
 * stateless, so we store the history and resend it. The agent carries its own prompt and model,
 * so `instructions` and `maxOutputTokens` are not sent; images are not supported by either chat
 * endpoint and are dropped.
 */
export class ChatbaseProvider implements AiProvider {
  readonly name = 'chatbase' as const;

  constructor(private readonly deps: { fetch: FetchLike }) {}

  async complete(call: ProviderCall): Promise<ProviderAnswer> {
    const { settings } = call;
    if (!settings.apiKey) throw configError('no API key saved');
    if (!settings.baseUrl) throw configError('no base URL saved');
    if (!settings.agentId) throw configError('no agent id saved');
    if (call.input.text.trim() === '') {
      throw new ProviderError({
        provider: PROVIDER,
        errorClass: 'bad_request',
        message: 'nothing to send: the message has no text',
      });
    }
    const deadline = Date.now() + call.timeoutMs;
    return (settings.apiVersion ?? 'v2') === 'v1'
      ? this.completeV1(call, settings.agentId, deadline)
      : this.completeV2(call, settings.agentId, deadline);
  }

  private async completeV2(
    call: ProviderCall,
    agentId: string,
    deadline: number,
  ): Promise<ProviderAnswer> {
    const url = joinUrl(call.settings.baseUrl, `/v2/agents/${encodeURIComponent(agentId)}/chat`);
    const state = await call.memory.load();
    const stored = state.conversationId;
    let current = stored;
    let response = await this.post(call, url, v2Body(call, stored), deadline);
    if (stored && isLostConversation(response)) {
      // Deleted, or the lead's agent changed: forget it and start a new conversation, once.
      current = undefined;
      await call.memory.save(withoutConversation(state));
      response = await this.post(call, url, v2Body(call, undefined), deadline);
    }
    if (!isOk(response)) throw chatbaseError(response, call.settings.apiKey);

    const reply = readV2Reply(response.body);
    const started =
      reply.conversationId && reply.conversationId !== current
        ? { ...withoutConversation(state), conversationId: reply.conversationId }
        : undefined;
    // An empty reply ends as an error line, which carries no memory: keep the conversation now.
    if (!reply.text && started) await call.memory.save(started);
    const result = answer(call, response, reply.text);
    // Stored with the outcome (ConversationMemory), not on its own.
    if (started) result.memory = started;
    return result;
  }

  private async completeV1(
    call: ProviderCall,
    chatbotId: string,
    deadline: number,
  ): Promise<ProviderAnswer> {
    const state = await call.memory.load();
    const history = state.history ?? [];
    const question: ChatTurn = { role: 'user', content: call.input.text };
    const response = await this.post(
      call,
      joinUrl(call.settings.baseUrl, '/v1/chat'),
      {
        chatbotId,
        messages: [...history, question],
        // Only files the exchange in Chatbase's dashboard; a stable id per lead keeps it together.
        conversationId: toChatbaseId(call.user),
        stream: false,
      },
      deadline,
    );
    if (!isOk(response)) throw chatbaseError(response, call.settings.apiKey);

    const body = isRecord(response.body) ? response.body : {};
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    const result = answer(call, response, text);
    // Stored with the outcome (ConversationMemory): a lost answer must not stay in the history.
    result.memory = {
      ...state,
      history: trimHistory([...history, question, { role: 'assistant', content: text }]),
    };
    return result;
  }

  private post(
    call: ProviderCall,
    url: string,
    body: Record<string, unknown>,
    deadline: number,
  ): Promise<JsonResponse> {
    return postJson({
      provider: PROVIDER,
      fetch: this.deps.fetch,
      url,
      headers: { authorization: `Bearer ${call.settings.apiKey}` },
      body,
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: call.signal,
    });
  }
}

function v2Body(call: ProviderCall, conversationId: string | undefined): Record<string, unknown> {
  // `stream` defaults to true in v2; `userId` binds only when a conversation starts (immutable).
  return conversationId
    ? { message: call.input.text, conversationId, stream: false }
    : { message: call.input.text, userId: toChatbaseId(call.user), stream: false };
}

function answer(call: ProviderCall, response: JsonResponse, text: string): ProviderAnswer {
  if (!text) {
    throw new ProviderError({
      provider: PROVIDER,
      errorClass: 'empty_answer',
      status: response.status,
      message: 'the agent answered without text',
    });
  }
  const result: ProviderAnswer = { text, model: call.settings.model ?? 'chatbase' };
  const requestId = response.headers.get('x-request-id');
  if (requestId) result.requestId = requestId;
  return result;
}

/**
 * The v2 non-streaming reply text is not pinned down by Chatbase's docs. The sandbox answers
 * `{data: {parts: [{type: 'text', text}], metadata: {conversationId}}}` (the SDK's UI message);
 * flat `text`/`message`/`content` strings and a top-level `conversationId` are accepted too.
 */
export function readV2Reply(body: unknown): { text: string; conversationId?: string } {
  const root = isRecord(body) && isRecord(body.data) ? body.data : isRecord(body) ? body : {};
  let text = '';
  if (Array.isArray(root.parts)) {
    text = root.parts
      .filter((part) => isRecord(part) && part.type === 'text' && typeof part.text === 'string')
      .map((part) => (part as { text: string }).text)
      .join('');
  }
  if (!text) {
    const flat = [root.text, root.message, root.content].find(
      (value): value is string => typeof value === 'string',
    );
    text = flat ?? '';
  }
  const metadata = isRecord(root.metadata) ? root.metadata : {};
  const id = [metadata.conversationId, root.conversationId, isRecord(body) && body.conversationId]
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .at(0);
  return id ? { text: text.trim(), conversationId: id } : { text: text.trim() };
}

/** Keeps the newest turns within both bounds, starting on a user turn. */
export function trimHistory(turns: ChatTurn[]): ChatTurn[] {
  let kept = turns.slice(-V1_HISTORY_MAX_TURNS);
  let chars = kept.reduce((sum, turn) => sum + turn.content.length, 0);
  while (kept.length > 0 && chars > V1_HISTORY_MAX_CHARS) {
    chars -= kept[0]?.content.length ?? 0;
    kept = kept.slice(1);
  }
  while (kept[0]?.role === 'assistant') kept = kept.slice(1);
  return kept;
}

/** Chatbase ids allow `[A-Za-z0-9._-]{1,128}`; our lead ids already fit, this makes sure. */
function toChatbaseId(user: string): string {
  const id = user.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
  return id || 'kommo-lead';
}

function isOk(response: JsonResponse): boolean {
  return response.status >= 200 && response.status < 300;
}

function configError(message: string): ProviderError {
  return new ProviderError({ provider: PROVIDER, errorClass: 'config', message });
}

function withoutConversation(state: ConversationState): ConversationState {
  const next = { ...state };
  delete next.conversationId;
  return next;
}

function readError(body: unknown): { code?: string; message?: unknown } {
  if (!isRecord(body)) return { message: body };
  // v2: `{error: {code, message, details}}`; v1 is undocumented (the sandbox sends `{message}`).
  if (isRecord(body.error)) {
    const code = body.error.code;
    return typeof code === 'string'
      ? { code, message: body.error.message }
      : { message: body.error.message };
  }
  return { message: typeof body.error === 'string' ? body.error : body.message };
}

/** A conversation we sent that Chatbase no longer knows or that belongs to another agent. */
function isLostConversation(response: JsonResponse): boolean {
  const { code, message } = readError(response.body);
  if (code?.includes('CONVERSATION')) return true;
  if (response.status !== 404 || code?.includes('AGENT')) return false;
  return typeof message === 'string' && /conversation/i.test(message);
}

/** Maps Chatbase errors (code first, then HTTP status) to our classes. */
export function chatbaseError(response: JsonResponse, apiKey: string): ProviderError {
  const { status } = response;
  const { code, message: raw } = readError(response.body);
  const message = cleanMessage(raw, apiKey, `HTTP ${status}`);
  const make = (errorClass: ProviderErrorClass, text = message, retryAfter?: number) =>
    new ProviderError({
      provider: PROVIDER,
      errorClass,
      message: text,
      status,
      ...(code === undefined ? {} : { code }),
      ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
    });

  if (code && BILLING_CODES.has(code)) return make('billing');
  if (status === 401) return make('auth', 'invalid API key');
  if (code?.startsWith('AUTH_') || status === 403) {
    // CHAT_MODEL_NOT_ALLOWED is a 403 about the agent's settings, not about the key.
    return code === 'CHAT_MODEL_NOT_ALLOWED' ? make('bad_request') : make('auth');
  }
  if (status === 429 || code?.startsWith('RATE_LIMIT')) {
    return make('rate_limit', message, retryAfterMs(response.headers));
  }
  if (status === 402) return make('billing');
  if (status === 404 || code?.endsWith('NOT_FOUND')) return make('not_found');
  if (code?.startsWith('VALIDATION_')) return make('bad_request');
  if (status === 408 || status === 409 || status >= 500) return make('server');
  return make('bad_request');
}
