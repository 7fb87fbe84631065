import { describe, expect, it } from 'vitest';
import { anyArray, CHATBASE_KEY, client, field, useSandbox } from './helpers.js';

describe('fake Chatbase', () => {
  const handle = useSandbox();
  const api = client(handle);
  const v2 = (agentId: string, body: Record<string, unknown>, key: string | null = CHATBASE_KEY) =>
    api.chatbase(`/v2/agents/${agentId}/chat`, { stream: false, ...body }, key);

  describe('v1 /api/v1/chat', () => {
    it('answers {text} from the history the caller sends (stateless)', async () => {
      const reply = await api.chatbase('/v1/chat', {
        chatbotId: 'agent-demo',
        stream: false,
        conversationId: 'lead-42',
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'Echo: first' },
          { role: 'user', content: 'second' },
        ],
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ text: 'Echo: second (turn 2, previous: first)' });
    });

    it('answers 401, 404 for an unknown chatbot, and 400 for missing messages', async () => {
      const body = { chatbotId: 'agent-demo', messages: [{ role: 'user', content: 'x' }] };
      expect((await api.chatbase('/v1/chat', body, null)).status).toBe(401);
      expect((await api.chatbase('/v1/chat', body, 'wrong')).status).toBe(401);
      const missingBot = await api.chatbase('/v1/chat', { ...body, chatbotId: 'unknown-bot' });
      expect(missingBot.status).toBe(404);
      expect(field(missingBot.body, 'message')).toBe('Chatbot not found.');
      expect(
        (await api.chatbase('/v1/chat', { chatbotId: 'agent-demo', messages: [] })).status,
      ).toBe(400);
    });
  });

  describe('v2 /api/v2/agents/{agentId}/chat', () => {
    it('answers the documented {data: {id, role, parts, metadata}} shape with a new conversation', async () => {
      const reply = await v2('agent-demo', { message: 'Hello', userId: 'kommo_42' });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        data: {
          role: 'assistant',
          parts: [{ type: 'text', text: 'Echo: Hello' }],
          metadata: { userId: 'kommo_42', finishReason: 'stop', usage: { credits: 1 } },
        },
      });
      expect(field(reply.body, 'data.metadata.conversationId')).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.headers.get('x-request-id')).toBeTruthy();
      expect(reply.headers.get('x-ratelimit-remaining')).toBe('99');
    });

    it('remembers the conversation server-side', async () => {
      const first = await v2('agent-demo', { message: 'I want to talk to someone' });
      const conversationId = field(first.body, 'data.metadata.conversationId');
      const second = await v2('agent-demo', { message: 'now', conversationId });
      expect(field(second.body, 'data.parts.0.text')).toBe(
        'Echo: now (turn 2, previous: I want to talk to someone)',
      );
      expect(field(second.body, 'data.metadata.conversationId')).toBe(conversationId);

      const elsewhere = await v2('agent-other', { message: 'x', conversationId });
      expect(elsewhere.status).toBe(400);
      expect(field(elsewhere.body, 'error.code')).toBe('CHAT_CONVERSATION_MISMATCH');
      const unknown = await v2('agent-demo', { message: 'x', conversationId: 'nope' });
      expect(unknown.status).toBe(404);
      expect(field(unknown.body, 'error.code')).toBe('RESOURCE_NOT_FOUND');
    });

    it('answers errors in the {error: {code, message}} envelope', async () => {
      const missing = await v2('agent-demo', { message: 'x' }, null);
      expect(missing.status).toBe(401);
      expect(missing.body).toEqual({
        error: { code: 'AUTH_MISSING_API_KEY', message: 'No Authorization header was provided.' },
      });
      const invalid = await v2('agent-demo', { message: 'x' }, 'wrong');
      expect(field(invalid.body, 'error.code')).toBe('AUTH_INVALID_API_KEY');

      const agent = await v2('ghost', { message: 'x' });
      expect(agent.status).toBe(404);
      expect(field(agent.body, 'error.code')).toBe('AGENT_NOT_FOUND');
      await api.control('POST', '/agents', { agentId: 'ghost' });
      expect((await v2('ghost', { message: 'x' })).status).toBe(200);

      const body = await v2('agent-demo', { message: '' });
      expect(body.status).toBe(400);
      expect(body.body).toMatchObject({
        error: { code: 'VALIDATION_INVALID_BODY', details: { message: anyArray } },
      });
    });

    it('refuses a request that leaves stream at its default (true)', async () => {
      const reply = await api.chatbase('/v2/agents/agent-demo/chat', { message: 'x' });
      expect(reply.status).toBe(400);
      expect(field(reply.body, 'error.code')).toBe('SANDBOX_STREAMING_UNSUPPORTED');
    });

    it('serves scripted credit exhaustion and rate limits, scripted per agent', async () => {
      await api.control('POST', '/scripts/agent-demo/failures', {
        failures: [
          { kind: 'credits_exhausted' },
          { kind: 'agent_credits_exhausted' },
          { kind: 'rate_limit', retryAfterSeconds: 7 },
        ],
      });
      const credits = await v2('agent-demo', { message: 'x' });
      expect(credits.status).toBe(402);
      expect(field(credits.body, 'error.code')).toBe('CHAT_CREDITS_EXHAUSTED');
      expect(
        field(await v2('agent-demo', { message: 'x' }).then((r) => r.body), 'error.code'),
      ).toBe('CHAT_AGENT_CREDITS_EXHAUSTED');
      // Another agent on the same key is unaffected by agent-demo's queue.
      expect((await v2('agent-other', { message: 'x' })).status).toBe(200);
      const limited = await v2('agent-demo', { message: 'x' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      expect(field(limited.body, 'error.code')).toBe('RATE_LIMIT_TOO_MANY_REQUESTS');
      expect((await v2('agent-demo', { message: 'x' })).status).toBe(200);
    });
  });
});
