import { describe, expect, it } from 'vitest';
import { anyNumber, client, DIFY_KEY, field, useSandbox } from './helpers.js';

describe('fake Dify chat-messages', () => {
  const handle = useSandbox();
  const api = client(handle);
  const ask = (query: string, extra: Record<string, unknown> = {}) =>
    api.dify({ query, inputs: {}, user: 'kommo-1-42', response_mode: 'blocking', ...extra });

  it('answers in blocking mode with a new conversation id and usage metadata', async () => {
    const reply = await ask('Oi', { conversation_id: '' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      event: 'message',
      mode: 'chat',
      answer: 'Echo: Oi',
      metadata: {
        usage: {
          prompt_tokens: anyNumber,
          completion_tokens: anyNumber,
          currency: 'USD',
        },
        retriever_resources: [],
      },
      created_at: anyNumber,
    });
    expect(field(reply.body, 'conversation_id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(field(reply.body, 'message_id')).toBe(field(reply.body, 'id'));
    expect(typeof field(reply.body, 'metadata.usage.total_price')).toBe('string');
  });

  it('remembers earlier turns of a conversation', async () => {
    const first = await ask('I need a human');
    const conversation = field(first.body, 'conversation_id');
    const second = await ask('please', { conversation_id: conversation });
    expect(second.body).toMatchObject({
      conversation_id: conversation,
      answer: 'Echo: please (turn 2, previous: I need a human)',
    });
  });

  it('answers 404 "Conversation Not Exists." for an unknown id or another user’s conversation', async () => {
    const unknown = await ask('hi', { conversation_id: '11111111-2222-4333-8444-555555555555' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      code: 'not_found',
      message: 'Conversation Not Exists.',
      status: 404,
    });

    const first = await ask('hi');
    const stranger = await ask('hi', {
      conversation_id: field(first.body, 'conversation_id'),
      user: 'someone-else',
    });
    expect(stranger.status).toBe(404);
  });

  it('validates the required fields', async () => {
    const noUser = await api.dify({ query: 'hi', inputs: {} });
    expect(noUser.status).toBe(400);
    expect(noUser.body).toMatchObject({ code: 'invalid_param', status: 400 });
    const noInputs = await api.dify({ query: 'hi', user: 'u' });
    expect(noInputs.body).toMatchObject({ code: 'invalid_param', message: 'inputs is required' });
    const streaming = await ask('hi', { response_mode: 'streaming' });
    expect(streaming.status).toBe(400);
  });

  it('answers 401 {code, message, status} without or with a wrong key', async () => {
    const none = await api.dify({ query: 'hi', inputs: {}, user: 'u' }, null);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 'unauthorized', status: 401 });
    const wrong = await api.dify({ query: 'hi', inputs: {}, user: 'u' }, 'app-live-unknown');
    expect(wrong.body).toEqual({
      code: 'unauthorized',
      message: 'Access token is invalid',
      status: 401,
    });
  });

  it('serves scripted failures in Dify’s shapes', async () => {
    await api.script(DIFY_KEY, {
      failures: [
        { kind: 'provider_quota_exceeded' },
        { kind: 'app_unavailable' },
        { kind: 'invalid_api_key' },
      ],
    });
    const quota = await ask('hi');
    expect(quota.status).toBe(400);
    expect(quota.body).toMatchObject({ code: 'provider_quota_exceeded', status: 400 });
    const unavailable = await ask('hi');
    expect(unavailable.status).toBe(400);
    expect(unavailable.body).toMatchObject({ code: 'app_unavailable', status: 400 });
    const unauthorized = await ask('hi');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({ code: 'unauthorized', status: 401 });
    expect((await ask('hi')).status).toBe(200);
  });

  it('uses the intent script of its app key', async () => {
    await api.script(DIFY_KEY, {
      answer: {
        mode: 'intent',
        rules: [{ keywords: ['reunião'], answer: '#Meeting' }],
        default: '#General',
      },
    });
    expect(field((await ask('Quero uma reunião')).body, 'answer')).toBe('#Meeting');
    expect(field((await ask('Qual o preço?')).body, 'answer')).toBe('#General');
  });
});
