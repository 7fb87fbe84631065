import { type FastifyInstance } from 'fastify';
import {
  checkAgainstSpec,
  checkModel,
  isRecord,
  openAiCall,
  refuseStreaming,
  toTextMessages,
  unixSeconds,
} from './openai-shared.js';
import { type AiDeps, BODY_LIMIT, runCall } from './pipeline.js';
import { composeAnswer, countTokens } from './script.js';
import { chatFormat, checkFormat, formatTokens, structuredAnswer } from './structured.js';

/** `POST /v1/chat/completions` (non-streaming). */
export function registerOpenAiChat(scope: FastifyInstance, deps: AiDeps): void {
  scope.post('/chat/completions', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const body = request.body;
    const [validation, invalid] = checkAgainstSpec('CreateChatCompletionRequest', body);
    return runCall(deps, request, reply, {
      ...openAiCall(deps, request, 'chat.completions', body, validation),
      handle: (script) => {
        if (invalid || !isRecord(body)) return invalid ?? { status: 400, body: {} };
        const model = String(body.model);
        const refused = refuseStreaming(body) ?? checkModel(deps.state.config.chatModels, model);
        if (refused) return refused;
        const messages = toTextMessages(body.messages);
        // Structured outputs (docs/ai-providers.md §1.11): JSON text in `content`, or a refusal.
        const format = chatFormat(body);
        const badFormat = format ? checkFormat(format, messages, 'response_format') : undefined;
        if (badFormat) return badFormat;
        const structured = format ? structuredAnswer(format, script.structured, messages) : null;
        const refusal = structured?.refusal ?? null;
        const full = structured ? (structured.text ?? '') : composeAnswer(script.answer, messages);
        // A cap smaller than the answer cuts it, as the real API does with finish_reason "length".
        const cap = numberOrNull(body.max_completion_tokens) ?? numberOrNull(body.max_tokens);
        const truncated = cap !== null && countTokens(full) > cap;
        const content = truncated ? full.slice(0, Math.max(0, cap * 4)) : full;
        // The schema counts as input, as OpenAI bills it.
        const promptTokens =
          countTokens(messages.map((message) => message.text).join('\n')) + formatTokens(format);
        const completionTokens = truncated ? cap : countTokens(refusal ?? content);
        const n = typeof body.n === 'number' && body.n > 1 ? Math.floor(body.n) : 1;
        return {
          status: 200,
          answer: refusal ?? content,
          ...(structured ? { structured: structured.record } : {}),
          body: {
            id: deps.state.nextId('chatcmpl-sandbox', 12),
            object: 'chat.completion',
            created: unixSeconds(deps.clock.now()),
            model,
            choices: Array.from({ length: n }, (_, index) => ({
              index,
              message: {
                role: 'assistant',
                content: refusal === null ? content : null,
                refusal,
                annotations: [],
              },
              logprobs: null,
              finish_reason: truncated ? 'length' : 'stop',
            })),
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: completionTokens * n,
              total_tokens: promptTokens + completionTokens * n,
              prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
              completion_tokens_details: {
                reasoning_tokens: 0,
                audio_tokens: 0,
                accepted_prediction_tokens: 0,
                rejected_prediction_tokens: 0,
              },
            },
            service_tier: 'default',
            system_fingerprint: 'fp_sandbox',
          },
        };
      },
    });
  });
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
