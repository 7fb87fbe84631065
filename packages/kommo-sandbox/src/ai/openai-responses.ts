import { type FastifyInstance } from 'fastify';
import { openAiError } from './errors.js';
import { conversationNotFound, itemsToMessages, toItems } from './openai-conversations.js';
import {
  checkAgainstSpec,
  checkModel,
  isRecord,
  openAiCall,
  refuseStreaming,
  unixSeconds,
} from './openai-shared.js';
import { type AiDeps, BODY_LIMIT, type HandlerResult, runCall } from './pipeline.js';
import { composeAnswer, countTokens, type ResolvedScript } from './script.js';
import { type OpenAiItem } from './state.js';
import {
  checkFormat,
  formatTokens,
  type JsonFormat,
  responsesFormat,
  structuredAnswer,
} from './structured.js';

/** `POST /v1/responses` (non-streaming), with `conversation` or `previous_response_id` memory. */
export function registerOpenAiResponses(scope: FastifyInstance, deps: AiDeps): void {
  scope.post('/responses', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const body = request.body;
    const [validation, invalid] = checkAgainstSpec('CreateResponse', body);
    return runCall(deps, request, reply, {
      ...openAiCall(deps, request, 'responses', body, validation),
      handle: (script) => invalid ?? createResponse(deps, isRecord(body) ? body : {}, script),
    });
  });
}

function conversationId(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
}

function createResponse(
  deps: AiDeps,
  body: Record<string, unknown>,
  script: ResolvedScript,
): HandlerResult {
  const { state } = deps;
  // `model` is optional in the spec (a stored prompt could carry it) but required in practice.
  if (typeof body.model !== 'string') {
    return openAiError(
      400,
      "Missing required parameter: 'model'.",
      'invalid_request_error',
      'missing_required_parameter',
      'model',
    );
  }
  const model = body.model;
  const refused = refuseStreaming(body) ?? checkModel(state.config.chatModels, model);
  if (refused) return refused;
  const convId = conversationId(body.conversation);
  const previousId =
    typeof body.previous_response_id === 'string' ? body.previous_response_id : null;
  // The spec does not encode this rule, but the API enforces it.
  if (convId && previousId) {
    return openAiError(
      400,
      "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
      'invalid_request_error',
      'mutually_exclusive_parameters',
      'previous_response_id',
    );
  }
  const conversation = convId ? state.openAiConversations.get(convId) : undefined;
  if (convId && !conversation) return conversationNotFound(convId, 'conversation');
  let history: OpenAiItem[] = conversation?.items ?? [];
  if (previousId) {
    const previous = state.openAiResponses.get(previousId);
    if (!previous) {
      return openAiError(
        404,
        `Previous response with id '${previousId}' not found.`,
        'invalid_request_error',
        'previous_response_not_found',
        'previous_response_id',
      );
    }
    history = previous;
  }

  const instructions = typeof body.instructions === 'string' ? body.instructions : null;
  const input = toItems(state, body.input);
  const messages = [
    ...(instructions ? [{ role: 'developer', text: instructions, images: 0 }] : []),
    ...itemsToMessages([...history, ...input]),
  ];
  // Structured outputs (docs/ai-providers.md §1.11): JSON in the output text, or a refusal part.
  const format = responsesFormat(body);
  const badFormat = format ? checkFormat(format, messages, 'text.format') : undefined;
  if (badFormat) return badFormat;
  const structured = format ? structuredAnswer(format, script.structured, messages) : null;
  const refusal = structured?.refusal ?? null;
  const full = structured ? (structured.text ?? '') : composeAnswer(script.answer, messages);
  const cap = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null;
  const truncated = cap !== null && countTokens(full) > cap;
  const text = truncated ? full.slice(0, cap * 4) : full;
  const output: OpenAiItem = {
    id: state.nextId('msg_', 48),
    type: 'message',
    status: truncated ? 'incomplete' : 'completed',
    role: 'assistant',
    content: [
      refusal === null
        ? { type: 'output_text', text, annotations: [], logprobs: [] }
        : { type: 'refusal', refusal },
    ],
  };
  // Conversations get this turn's input and output appended once the response is done.
  if (conversation) conversation.items.push(...input, output);
  const id = state.nextId('resp_', 48);
  if (body.store !== false) state.openAiResponses.set(id, [...history, ...input, output]);

  // The schema counts as input, as OpenAI bills it.
  const inputTokens =
    countTokens(messages.map((message) => message.text).join('\n')) + formatTokens(format);
  const outputTokens = truncated ? cap : countTokens(refusal ?? text);
  const created = unixSeconds(deps.clock.now());
  return {
    status: 200,
    answer: refusal ?? text,
    ...(structured ? { structured: structured.record } : {}),
    body: {
      id,
      object: 'response',
      created_at: created,
      status: truncated ? 'incomplete' : 'completed',
      completed_at: truncated ? null : created,
      error: null,
      incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
      instructions,
      max_output_tokens: cap,
      model,
      output: [output],
      ...(state.config.responsesOutputText ? { output_text: refusal === null ? text : '' } : {}),
      parallel_tool_calls: true,
      previous_response_id: previousId,
      conversation: convId ? { id: convId } : null,
      reasoning: { effort: null, summary: null },
      service_tier: 'default',
      store: body.store !== false,
      temperature: typeof body.temperature === 'number' ? body.temperature : 1,
      text: { format: echoFormat(format), verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_p: typeof body.top_p === 'number' ? body.top_p : 1,
      truncation: 'disabled',
      usage: {
        input_tokens: inputTokens,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: inputTokens + outputTokens,
      },
      metadata: isRecord(body.metadata) ? body.metadata : {},
    },
  };
}

/** The Response object echoes the format it was asked for. */
function echoFormat(format: JsonFormat | null): Record<string, unknown> {
  if (!format) return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    name: format.name,
    schema: format.schema,
    strict: format.strict,
    ...(format.description !== undefined ? { description: format.description } : {}),
  };
}
