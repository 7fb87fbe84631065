import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { chatbaseError, type Outcome } from './errors.js';
import { isRecord, toTextMessages } from './openai-shared.js';
import {
  type AiDeps,
  bearerKey,
  BODY_LIMIT,
  type CallSpec,
  type HandlerResult,
  runCall,
} from './pipeline.js';
import { composeAnswer, type ResolvedScript } from './script.js';
import { type ServerConversation } from './state.js';

type Version = 'v1' | 'v2';

/** Chatbase: v1 `POST /api/v1/chat` (stateless) and v2 `POST /api/v2/agents/{agentId}/chat`. */
export function registerChatbase(scope: FastifyInstance, deps: AiDeps): void {
  scope.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    const code = status === 400 ? 'VALIDATION_INVALID_JSON' : 'INTERNAL_SERVER_ERROR';
    const outcome = chatbaseError(versionOf(request), status, code, error.message);
    return reply.code(status).send(outcome.body);
  });
  scope.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(chatbaseError(versionOf(request), 404, 'RESOURCE_NOT_FOUND', 'Not found.').body),
  );

  scope.post('/v1/chat', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    const body = isRecord(request.body) ? request.body : {};
    const agentId = typeof body.chatbotId === 'string' ? body.chatbotId : '';
    return runCall(deps, request, reply, {
      ...common(deps, request, 'v1', agentId),
      handle: (script) => chatV1(deps, body, agentId, script),
    });
  });

  scope.post<{ Params: { agentId: string } }>(
    '/v2/agents/:agentId/chat',
    { bodyLimit: BODY_LIMIT },
    async (request, reply) => {
      const body = isRecord(request.body) ? request.body : {};
      const { agentId } = request.params;
      return runCall(deps, request, reply, {
        ...common(deps, request, 'v2', agentId),
        handle: (script) => chatV2(deps, body, agentId, script),
      });
    },
  );
}

function versionOf(request: FastifyRequest): Version {
  return request.url.includes('/api/v1/') ? 'v1' : 'v2';
}

function common(
  deps: AiDeps,
  request: FastifyRequest,
  version: Version,
  agentId: string,
): Omit<CallSpec, 'handle'> {
  const key = bearerKey(request);
  let authError: Outcome | undefined;
  if (!key) {
    authError = chatbaseError(
      version,
      401,
      'AUTH_MISSING_API_KEY',
      'No Authorization header was provided.',
    );
  } else if (!deps.state.isKeyValid('chatbase', key)) {
    authError = chatbaseError(version, 401, 'AUTH_INVALID_API_KEY', 'The API key is not valid.');
  }
  return {
    provider: 'chatbase',
    flavour: version === 'v1' ? 'chatbase-v1' : 'chatbase-v2',
    endpoint: `chatbase.${version}.chat`,
    key,
    scriptIds: [agentId, key].filter((id): id is string => Boolean(id)),
    body: request.body ?? null,
    authError,
    baseHeaders: {
      'x-request-id': deps.state.nextUuid(),
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '99',
      'x-ratelimit-reset': String(deps.clock.now() + 60_000),
    },
  };
}

function refuseStreaming(version: Version): Outcome {
  return chatbaseError(
    version,
    400,
    'SANDBOX_STREAMING_UNSUPPORTED',
    "The Kommo sandbox's fake Chatbase does not stream; send stream: false.",
  );
}

function chatV1(
  deps: AiDeps,
  body: Record<string, unknown>,
  chatbotId: string,
  script: ResolvedScript,
): HandlerResult {
  const invalid = (message: string) => chatbaseError('v1', 400, 'VALIDATION_INVALID_BODY', message);
  if (!chatbotId) return invalid('chatbotId is required');
  const valid = (m: unknown) =>
    isRecord(m) && (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string';
  if (!Array.isArray(body.messages) || body.messages.length === 0 || !body.messages.every(valid)) {
    return invalid('messages must be a non-empty array of {role: "user" | "assistant", content}');
  }
  if (body.stream === true) return refuseStreaming('v1');
  if (!deps.state.agentExists(chatbotId)) {
    return chatbaseError('v1', 404, 'AGENT_NOT_FOUND', 'Chatbot not found.');
  }
  // v1 is stateless: the caller resends the whole history, so the answer comes from `messages`.
  const messages = toTextMessages(body.messages);
  const text = composeAnswer(script.answer, messages);
  if (typeof body.conversationId === 'string' && body.conversationId) {
    // conversationId only files the exchange for the dashboard; kept for inspection.
    const conversation = deps.state.chatbaseConversations.get(body.conversationId) ?? {
      id: body.conversationId,
      owner: chatbotId,
      user: null,
      turns: [],
    };
    conversation.turns = [...messages, { role: 'assistant', text, images: 0 }];
    deps.state.chatbaseConversations.set(conversation.id, conversation);
  }
  return { status: 200, answer: text, body: { text } };
}

function chatV2(
  deps: AiDeps,
  body: Record<string, unknown>,
  agentId: string,
  script: ResolvedScript,
): HandlerResult {
  const { state } = deps;
  const invalid = (field: string, problem: string) =>
    chatbaseError('v2', 400, 'VALIDATION_INVALID_BODY', 'Invalid request body.', {
      [field]: [problem],
    });
  if (typeof body.message !== 'string' || body.message === '') {
    return invalid('message', 'Expected a non-empty string');
  }
  if (
    body.userId !== undefined &&
    (typeof body.userId !== 'string' || !/^[a-zA-Z0-9._-]{1,128}$/.test(body.userId))
  ) {
    return invalid('userId', 'At most 128 characters from [a-zA-Z0-9._-]');
  }
  // v2 streams unless told otherwise.
  if (body.stream !== false) return refuseStreaming('v2');
  if (!state.agentExists(agentId)) {
    return chatbaseError('v2', 404, 'AGENT_NOT_FOUND', 'Agent not found.');
  }

  let conversation: ServerConversation | undefined;
  if (typeof body.conversationId === 'string' && body.conversationId) {
    conversation = state.chatbaseConversations.get(body.conversationId);
    if (!conversation) {
      return chatbaseError('v2', 404, 'RESOURCE_NOT_FOUND', 'Conversation not found.');
    }
    if (conversation.owner !== agentId) {
      return chatbaseError(
        'v2',
        400,
        'CHAT_CONVERSATION_MISMATCH',
        'The conversation does not belong to the specified agent.',
      );
    }
  } else {
    const user = typeof body.userId === 'string' ? body.userId : null;
    conversation = { id: state.nextUuid(), owner: agentId, user, turns: [] };
    state.chatbaseConversations.set(conversation.id, conversation);
  }

  const question = { role: 'user', text: body.message, images: 0 };
  const text = composeAnswer(script.answer, [...conversation.turns, question]);
  conversation.turns.push(question, { role: 'assistant', text, images: 0 });
  return {
    status: 200,
    answer: text,
    body: {
      data: {
        id: state.nextId('msg_', 20),
        role: 'assistant',
        parts: [{ type: 'text', text }],
        metadata: {
          userMessageId: state.nextId('msg_', 20),
          conversationId: conversation.id,
          userId: conversation.user,
          finishReason: 'stop',
          usage: { credits: 1 },
        },
      },
    },
  };
}
