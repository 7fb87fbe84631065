import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { openAiError, type Outcome } from './errors.js';
import {
  checkAgainstSpec,
  contentToText,
  isRecord,
  openAiCall,
  unixSeconds,
} from './openai-shared.js';
import { type AiDeps, type HandlerResult, runCall } from './pipeline.js';
import {
  type AiState,
  type OpenAiConversation,
  type OpenAiItem,
  type TextMessage,
} from './state.js';

type IdParams = { Params: { id: string } };

/** Conversations API: create, read, update, delete, and list/add items. */
export function registerOpenAiConversations(scope: FastifyInstance, deps: AiDeps): void {
  const { state } = deps;
  const call = (
    request: FastifyRequest,
    reply: FastifyReply,
    endpoint: string,
    schema: string | null,
    handle: (body: Record<string, unknown>) => HandlerResult,
  ) => {
    const body = request.body ?? {};
    const [validation, invalid] = schema ? checkAgainstSpec(schema, body) : [null, undefined];
    return runCall(deps, request, reply, {
      ...openAiCall(deps, request, endpoint, request.body ?? null, validation),
      handle: () => invalid ?? handle(isRecord(body) ? body : {}),
    });
  };

  scope.post('/conversations', (request, reply) =>
    call(request, reply, 'conversations.create', 'CreateConversationBody', (body) => {
      const conversation: OpenAiConversation = {
        id: state.nextId('conv_', 48),
        createdAt: unixSeconds(deps.clock.now()),
        metadata: isRecord(body.metadata) ? (body.metadata as Record<string, string>) : {},
        items: toItems(state, body.items ?? []),
      };
      state.openAiConversations.set(conversation.id, conversation);
      return { status: 200, body: conversationResource(conversation) };
    }),
  );

  scope.get<IdParams>('/conversations/:id', (request, reply) =>
    call(request, reply, 'conversations.retrieve', null, () =>
      withConversation(state, request.params.id, (c) => ({
        status: 200,
        body: conversationResource(c),
      })),
    ),
  );

  scope.post<IdParams>('/conversations/:id', (request, reply) =>
    call(request, reply, 'conversations.update', 'UpdateConversationBody', (body) =>
      withConversation(state, request.params.id, (c) => {
        if (isRecord(body.metadata)) c.metadata = body.metadata as Record<string, string>;
        return { status: 200, body: conversationResource(c) };
      }),
    ),
  );

  scope.delete<IdParams>('/conversations/:id', (request, reply) =>
    call(request, reply, 'conversations.delete', null, () =>
      withConversation(state, request.params.id, (c) => {
        state.openAiConversations.delete(c.id);
        return { status: 200, body: { id: c.id, object: 'conversation.deleted', deleted: true } };
      }),
    ),
  );

  scope.get<IdParams & { Querystring: ItemsQuery }>('/conversations/:id/items', (request, reply) =>
    call(request, reply, 'conversations.items.list', null, () =>
      withConversation(state, request.params.id, (c) => listItems(c, request.query)),
    ),
  );

  scope.post<IdParams>('/conversations/:id/items', (request, reply) =>
    call(request, reply, 'conversations.items.create', null, (body) =>
      withConversation(state, request.params.id, (c) => {
        const added = toItems(state, body.items ?? []);
        c.items.push(...added);
        return { status: 200, body: itemList(added) };
      }),
    ),
  );
}

type ItemsQuery = { order?: string; after?: string; limit?: string };

/**
 * One page of a conversation's items: newest first unless `order=asc`, starting after the item
 * `after` in that order, at most `limit` (1 to 100, default 20), as the spec's list operation
 * describes them.
 */
function listItems(conversation: OpenAiConversation, query: ItemsQuery): Outcome {
  const ordered =
    query.order === 'asc' ? [...conversation.items] : [...conversation.items].reverse();
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return openAiError(
      400,
      `Invalid 'limit': integer below minimum value. Expected a value between 1 and 100, but got ${query.limit} instead.`,
      'invalid_request_error',
      'integer_below_min_value',
      'limit',
    );
  }
  let start = 0;
  if (query.after !== undefined) {
    const at = ordered.findIndex((item) => item.id === query.after);
    if (at < 0) {
      return openAiError(
        404,
        `Item with id '${query.after}' not found.`,
        'invalid_request_error',
        null,
        'after',
      );
    }
    start = at + 1;
  }
  const data = ordered.slice(start, start + limit);
  return { status: 200, body: itemList(data, start + limit < ordered.length) };
}

function withConversation(
  state: AiState,
  id: string,
  then: (conversation: OpenAiConversation) => Outcome,
): Outcome {
  const conversation = state.openAiConversations.get(id);
  return conversation ? then(conversation) : conversationNotFound(id);
}

export function conversationNotFound(id: string, param: string | null = null): Outcome {
  return openAiError(
    404,
    `Conversation with id '${id}' not found.`,
    'invalid_request_error',
    null,
    param,
  );
}

function conversationResource(conversation: OpenAiConversation) {
  return {
    id: conversation.id,
    object: 'conversation',
    created_at: conversation.createdAt,
    metadata: conversation.metadata,
  };
}

function itemList(data: OpenAiItem[], hasMore = false) {
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? '',
    last_id: data.at(-1)?.id ?? '',
    has_more: hasMore,
  };
}

/**
 * Normalises Responses/Conversations input (a string or a list of items) into stored message
 * items. Non-message items (tool outputs…) carry no text the fakes use, so they are dropped.
 */
export function toItems(state: AiState, input: unknown): OpenAiItem[] {
  if (typeof input === 'string') {
    return [messageItem(state, 'user', [{ type: 'input_text', text: input }])];
  }
  if (!Array.isArray(input)) return [];
  return input
    .filter(isRecord)
    .filter((item) => typeof item.role === 'string' && (item.type ?? 'message') === 'message')
    .map((item) => {
      const role = String(item.role);
      const content =
        typeof item.content === 'string'
          ? [{ type: role === 'assistant' ? 'output_text' : 'input_text', text: item.content }]
          : Array.isArray(item.content)
            ? item.content.filter(isRecord).map((part) => ({ ...part, type: String(part.type) }))
            : [];
      return messageItem(state, role, content as OpenAiItem['content']);
    });
}

function messageItem(state: AiState, role: string, content: OpenAiItem['content']): OpenAiItem {
  return { id: state.nextId('msg_', 48), type: 'message', status: 'completed', role, content };
}

export function itemsToMessages(items: OpenAiItem[]): TextMessage[] {
  return items.map((item) => ({ role: item.role, ...contentToText(item.content) }));
}
