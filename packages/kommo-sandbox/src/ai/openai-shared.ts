import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { modelNotFound, openAiError, openAiRateLimitHeaders, type Outcome } from './errors.js';
import { type AiDeps, bearerKey, type CallSpec } from './pipeline.js';
import { validateOpenAi, type ValidationResult } from './spec-validator.js';
import { type AiState, type TextMessage } from './state.js';

/** The OpenAI-specific parts of a call spec: auth, headers, script ids, spec validation. */
export function openAiCall(
  deps: AiDeps,
  request: FastifyRequest,
  endpoint: string,
  body: unknown,
  validation: ValidationResult | null,
): Omit<CallSpec, 'handle'> {
  const key = bearerKey(request);
  const model = isRecord(body) && typeof body.model === 'string' ? body.model : undefined;
  return {
    provider: 'openai',
    flavour: 'openai',
    endpoint,
    key,
    scriptIds: key ? [key] : [],
    body,
    validation,
    model,
    authError: openAiAuthError(deps.state, key),
    baseHeaders: {
      'x-request-id': deps.state.nextId('req_', 16),
      'openai-processing-ms': '1',
      'openai-version': '2020-10-01',
      ...openAiRateLimitHeaders(null),
    },
  };
}

function openAiAuthError(state: AiState, key: string | undefined): Outcome | undefined {
  if (!key) {
    return openAiError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      'invalid_request_error',
      null,
    );
  }
  if (state.isKeyValid('openai', key)) return undefined;
  const masked = key.length > 8 ? `${key.slice(0, 3)}****${key.slice(-4)}` : '****';
  return openAiError(
    401,
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

/** Validates a request body against the spec; the second value is the 400 to send, if any. */
export function checkAgainstSpec(
  schema: string,
  body: unknown,
  multipart = false,
): [ValidationResult, Outcome | undefined] {
  const { result, problem } = validateOpenAi(schema, body, { multipart });
  if (!problem) return [result, undefined];
  return [
    result,
    openAiError(400, problem.message, 'invalid_request_error', problem.code, problem.param),
  ];
}

export function checkModel(models: string[], model: string): Outcome | undefined {
  return models.includes(model) ? undefined : modelNotFound(model);
}

/** The sandbox answers JSON only; a streaming request is refused loudly rather than mis-served. */
export function refuseStreaming(body: Record<string, unknown>): Outcome | undefined {
  if (body.stream !== true) return undefined;
  return openAiError(
    400,
    "The Kommo sandbox's fake OpenAI does not stream; send stream: false (or omit it).",
    'invalid_request_error',
    'sandbox_streaming_unsupported',
    'stream',
  );
}

/** OpenAI-shaped errors for bad JSON, oversized bodies and unknown paths in this scope. */
export function installOpenAiErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const message =
      status === 400
        ? `We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.) ${error.message}`
        : error.message;
    const outcome = openAiError(
      status,
      message,
      status < 500 ? 'invalid_request_error' : 'server_error',
      null,
    );
    return reply.code(outcome.status).send(outcome.body);
  });
  scope.setNotFoundHandler((request, reply) => {
    const path = request.url.replace(/^\/openai/, '');
    const outcome = openAiError(
      404,
      `Invalid URL (${request.method} ${path})`,
      'invalid_request_error',
      null,
    );
    return reply.code(404).send(outcome.body);
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Text and image count of a message `content`: a string, or parts such as `text`, `input_text`,
 * `output_text`, `image_url`, `input_image`.
 */
export function contentToText(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  const texts: string[] = [];
  let images = 0;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') texts.push(part.text);
    if (part.type === 'image_url' || part.type === 'input_image') images += 1;
  }
  return { text: texts.join(' '), images };
}

export function toTextMessages(messages: unknown): TextMessage[] {
  if (!Array.isArray(messages)) return [];
  return messages.filter(isRecord).map((message) => ({
    role: typeof message.role === 'string' ? message.role : 'user',
    ...contentToText(message.content),
  }));
}

export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
