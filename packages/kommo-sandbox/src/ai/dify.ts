import { type FastifyInstance } from 'fastify';
import { difyError, type Outcome } from './errors.js';
import { isRecord, unixSeconds } from './openai-shared.js';
import { type AiDeps, bearerKey, BODY_LIMIT, type HandlerResult, runCall } from './pipeline.js';
import { composeAnswer, countTokens, type ResolvedScript } from './script.js';
import { type ServerConversation } from './state.js';

/** Dify chat apps: `POST /v1/chat-messages` in blocking mode. The app is identified by its key. */
export function registerDify(scope: FastifyInstance, deps: AiDeps): void {
  scope.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const outcome = difyError(
      status,
      status < 500 ? 'bad_request' : 'internal_server_error',
      error.message,
    );
    return reply.code(status).send(outcome.body);
  });
  scope.setNotFoundHandler((_request, reply) =>
    reply
      .code(404)
      .send(difyError(404, 'not_found', 'The requested URL was not found on the server.').body),
  );

  scope.post('/chat-messages', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const key = bearerKey(request);
    const body = isRecord(request.body) ? request.body : {};
    let authError: Outcome | undefined;
    if (!key) {
      authError = difyError(
        401,
        'unauthorized',
        'Authorization header must be provided and start with Bearer',
      );
    } else if (!deps.state.isKeyValid('dify', key)) {
      authError = difyError(401, 'unauthorized', 'Access token is invalid');
    }
    return runCall(deps, request, reply, {
      provider: 'dify',
      flavour: 'dify',
      endpoint: 'dify.chat-messages',
      key,
      scriptIds: key ? [key] : [],
      body: request.body ?? null,
      authError,
      handle: (script) => chatMessage(deps, key ?? '', body, script),
    });
  });
}

function invalidParam(message: string): Outcome {
  return difyError(400, 'invalid_param', message);
}

function chatMessage(
  deps: AiDeps,
  appKey: string,
  body: Record<string, unknown>,
  script: ResolvedScript,
): HandlerResult {
  const { state } = deps;
  if (typeof body.query !== 'string' || body.query === '') return invalidParam('query is required');
  if (!isRecord(body.inputs)) return invalidParam('inputs is required');
  if (typeof body.user !== 'string' || body.user === '') return invalidParam('user is required');
  const mode = body.response_mode ?? 'blocking';
  if (mode !== 'blocking') {
    return invalidParam("The Kommo sandbox's fake Dify answers response_mode 'blocking' only.");
  }
  const requested = typeof body.conversation_id === 'string' ? body.conversation_id : '';
  let conversation: ServerConversation | undefined;
  if (requested) {
    conversation = state.difyConversations.get(requested);
    // Conversations are private to the app and to the end user that started them.
    if (!conversation || conversation.owner !== appKey || conversation.user !== body.user) {
      return difyError(404, 'not_found', 'Conversation Not Exists.');
    }
  } else {
    conversation = { id: state.nextUuid(), owner: appKey, user: body.user, turns: [] };
    state.difyConversations.set(conversation.id, conversation);
  }

  const question = { role: 'user', text: body.query, images: 0 };
  const messages = [...conversation.turns, question];
  const answer = composeAnswer(script.answer, messages);
  conversation.turns.push(question, { role: 'assistant', text: answer, images: 0 });

  const promptTokens = countTokens(messages.map((message) => message.text).join('\n'));
  const completionTokens = countTokens(answer);
  const messageId = state.nextUuid();
  return {
    status: 200,
    answer,
    body: {
      event: 'message',
      task_id: state.nextUuid(),
      id: messageId,
      message_id: messageId,
      conversation_id: conversation.id,
      mode: 'chat',
      answer,
      metadata: {
        usage: {
          prompt_tokens: promptTokens,
          prompt_unit_price: '0.00015',
          prompt_price_unit: '0.001',
          prompt_price: price(promptTokens, 0.00015),
          completion_tokens: completionTokens,
          completion_unit_price: '0.0006',
          completion_price_unit: '0.001',
          completion_price: price(completionTokens, 0.0006),
          total_tokens: promptTokens + completionTokens,
          total_price: price(promptTokens, 0.00015, completionTokens, 0.0006),
          currency: 'USD',
          latency: 0.1,
        },
        retriever_resources: [],
      },
      created_at: unixSeconds(deps.clock.now()),
    },
  };
}

/** Dify sends prices as decimal strings (per 1000 tokens here). */
function price(tokens: number, unit: number, tokens2 = 0, unit2 = 0): string {
  return ((tokens * unit + tokens2 * unit2) / 1000).toFixed(7);
}
